import { compileProcessDefinition, lintProcessDefinition, checkFeelExpression } from '@ameide/process-definition';
import { generateProcessDefinition, salesServiceRegistry } from '@ameide/process-definition/testing';
const warm = generateProcessDefinition(500, 9);
for (let i = 0; i < 3; i++) compileProcessDefinition(warm, { services: salesServiceRegistry });
for (const n of [1000, 5000]) {
  const def = generateProcessDefinition(n, 1);
  for (let r = 0; r < 3; r++) {
  let t = performance.now();
  lintProcessDefinition(def, { services: salesServiceRegistry });
  const lintMs = performance.now() - t;
  t = performance.now();
  const c = compileProcessDefinition(def, { services: salesServiceRegistry, maxPlanBytes: 1e9 });
  const compileMs = performance.now() - t;
  console.log(n, 'lint', lintMs.toFixed(1), 'compile', compileMs.toFixed(1));
  }
}
let t = performance.now();
for (let i = 0; i < 5000; i++) checkFeelExpression('{ orderId: orderId, amount: amount }');
console.log('feel x5000', (performance.now() - t).toFixed(1));
