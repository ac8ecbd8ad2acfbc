/*
 * Licence: the repository and every package it publishes are MIT-licensed, say so in their
 * package.json (`license`, an SPDX id, which is what registries and licence checkers read) and
 * ship the licence text itself (a LICENSE file in each tarball, naming the copyright holders).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, packAll, workspaces } from './pack.js';

const MIT_GRANT = 'Permission is hereby granted, free of charge, to any person obtaining a copy';

test('the repository root declares MIT and holds the licence text', () => {
  const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { license?: string };
  assert.is(root.license, 'MIT');
  const text = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
  assert.ok(text.startsWith('MIT License\n'), 'LICENSE starts with "MIT License"');
  assert.ok(text.includes(MIT_GRANT), 'LICENSE holds the MIT grant');
  assert.match(text, /^Copyright \(c\) \d{4} heaplab contributors$/m);
});

test('every workspace declares MIT and its tarball ships the same LICENSE as the root', async () => {
  const packed = await packAll();
  assert.equal(packed.map((p) => p.workspace).sort(), workspaces().slice().sort(), 'every workspace is packed');
  const rootText = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
  for (const p of packed) {
    assert.is(p.manifest.license, 'MIT', `${p.name}: license field`);
    assert.ok(p.files.includes('LICENSE'), `${p.name}: its tarball holds LICENSE (files: ${p.files.slice(0, 8).join(', ')}…)`);
    assert.is(readFileSync(join(ROOT, p.workspace, 'LICENSE'), 'utf8'), rootText, `${p.name}: its LICENSE is the root's`);
  }
});

test.run();
