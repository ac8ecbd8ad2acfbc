/*
 * The misuse matrix and the README's generated sections: re-exports only.
 */
export { misuseMatrix, matrixMarkdown, outcomeText, type MisuseMatrix, type MatrixRow } from './matrix.js';
export { BENCH_README, ROOT_README, readSection, replaceSection, updateSection } from './readme-sections.js';
