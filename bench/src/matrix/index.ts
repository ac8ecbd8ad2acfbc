/*
 * The misuse and attack matrices and the README's generated sections: re-exports only.
 */
export { misuseMatrix, matrixMarkdown, outcomeText, type MisuseMatrix, type MatrixRow } from './matrix.js';
export { attackMatrix, attackMarkdown, attackCell, attackSubjects, configurations, type AttackMatrix, type AttackRow, type AttackSubject } from './attacks.js';
export { BENCH_README, ROOT_README, readSection, replaceSection, updateSection } from './readme-sections.js';
