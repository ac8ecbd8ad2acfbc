/*
 * Every `heaplab` command, registered in one place. A command lives in its own file and exports
 * a `register…(program)` function; add it to the list below.
 */

import type { Command } from 'commander';
import { registerFuzz } from './fuzz.js';
import { registerReplay } from './replay.js';
import { registerTrace } from './trace.js';
import { registerWorkload } from './workload.js';
import { registerList } from './list.js';
import { registerConfig } from './config.js';
import { registerWho } from './who.js';
import { registerBench } from './bench.js';
import { registerReport } from './report.js';
import { registerMaps } from './maps.js';
import { registerLab } from './lab.js';
import { registerSweep } from './sweep.js';
import { registerStudy } from './study.js';
import { registerExplore } from './explore.js';

export const COMMANDS: ((program: Command) => void)[] = [registerFuzz, registerReplay, registerTrace, registerWorkload, registerList, registerConfig, registerWho, registerBench, registerReport, registerMaps, registerLab, registerSweep, registerStudy, registerExplore];
