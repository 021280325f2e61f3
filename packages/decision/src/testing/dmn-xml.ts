/** Test helper: writes a decision table as DMN 1.3 XML (what a modeller would save). */
export interface TableSpec {
  readonly hitPolicy: string;
  readonly aggregation?: string;
  readonly inputs: readonly { expression: string; label?: string; inputValues?: string }[];
  readonly outputs: readonly {
    name?: string;
    outputValues?: string;
    defaultOutputEntry?: string;
  }[];
  readonly rules: readonly {
    id?: string;
    inputEntries: readonly string[];
    outputEntries: readonly string[];
  }[];
  /** inputData names declared in the model. */
  readonly inputData?: readonly string[];
}

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function tableXml(spec: TableSpec, decisionId = 'd'): string {
  const inputs = spec.inputs
    .map(
      (input, i) =>
        `<input id="i${i}"${input.label ? ` label="${esc(input.label)}"` : ''}><inputExpression id="ie${i}"><text>${esc(input.expression)}</text></inputExpression>${
          input.inputValues !== undefined
            ? `<inputValues id="iv${i}"><text>${esc(input.inputValues)}</text></inputValues>`
            : ''
        }</input>`,
    )
    .join('');
  const outputs = spec.outputs
    .map(
      (o, i) =>
        `<output id="o${i}"${o.name ? ` name="${esc(o.name)}"` : ''}>${
          o.outputValues !== undefined
            ? `<outputValues id="ov${i}"><text>${esc(o.outputValues)}</text></outputValues>`
            : ''
        }${o.defaultOutputEntry !== undefined ? `<defaultOutputEntry id="od${i}"><text>${esc(o.defaultOutputEntry)}</text></defaultOutputEntry>` : ''}</output>`,
    )
    .join('');
  const rules = spec.rules
    .map((r, k) => {
      const id = r.id ?? `r${k}`;
      return `<rule id="${id}">${r.inputEntries.map((e, i) => `<inputEntry id="${id}-i${i}"><text>${esc(e)}</text></inputEntry>`).join('')}${r.outputEntries
        .map((e, i) => `<outputEntry id="${id}-o${i}"><text>${esc(e)}</text></outputEntry>`)
        .join('')}</rule>`;
    })
    .join('');
  const inputData = (spec.inputData ?? [])
    .map((n, i) => `<inputData id="data${i}" name="${esc(n)}" />`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="defs" name="test" namespace="https://ameide.io/test">
  <decision id="${decisionId}" name="${decisionId}">
    <decisionTable id="t" hitPolicy="${spec.hitPolicy}"${spec.aggregation ? ` aggregation="${spec.aggregation}"` : ''}>${inputs}${outputs}${rules}</decisionTable>
  </decision>${inputData}
</definitions>`;
}
