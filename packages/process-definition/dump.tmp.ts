import { compileProcessDefinition, lintProcessDefinition } from '@ameide/process-definition';
import { generateProcessDefinition, salesServiceRegistry } from '@ameide/process-definition/testing';
for (const n of [1000, 5000, 10000]) {
  const def = generateProcessDefinition(n, 1);
  let t = performance.now();
  const l = lintProcessDefinition(def, { services: salesServiceRegistry });
  const lintMs = performance.now() - t;
  t = performance.now();
  const c = compileProcessDefinition(def, { services: salesServiceRegistry, maxPlanBytes: 1e9 });
  const compileMs = performance.now() - t;
  t = performance.now();
  JSON.parse(JSON.stringify(def));
  const floor = performance.now() - t;
  console.log(n, 'lint', lintMs.toFixed(1), 'diag', l.diagnostics.length, 'compile', compileMs.toFixed(1), c.ok ? c.json.length : c.diagnostics, 'floor', floor.toFixed(1));
}
