import { readFileSync } from 'node:fs';
import { importBpmn, lintProcessDefinition, formatDiagnostic } from '@ameide/process-definition';
const r = await importBpmn(readFileSync(process.argv[2]!, 'utf8'));
for (const d of r.diagnostics) console.log(d.severity, formatDiagnostic(d));
if (r.ok) { console.log(r.definition.nodes.map(n => `${n.id}:${n.type}`).join(' ')); console.log(JSON.stringify(r.definition.nodes.filter(n=>['userTask','scriptTask','callActivity','intermediateMessageEvent'].includes(n.type)).map(n=>n.data)));
  console.log(JSON.stringify(r.definition.edges.filter(e=>e.data.condition||e.data.isDefault)));
  for (const d of lintProcessDefinition(r.definition).diagnostics) console.log('LINT', formatDiagnostic(d)); }
