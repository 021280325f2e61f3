import { evaluate } from 'feelin';
import { compilePlan, startFakeInstance } from '@ameide/process-runtime/testing';
import { medianMs, report } from './lib/measure.js';

const WRITES = 200;

/**
 * A loop of `WRITES` script tasks, each writing `n` and then waiting 1 s (so each change wakes
 * the instance on its own, as a message, a task or a timer does), beside `watchers`
 * non-interrupting conditional event subprocesses whose condition (`n = -1`, ...) never holds:
 * each wake-up after a change re-evaluates every watched condition.
 */
function loopWithWatchers(watchers: number): string {
  const watch = Array.from(
    { length: watchers },
    (_, i) => `
    <bpmn:subProcess id="Watch_${i}" triggeredByEvent="true">
      <bpmn:startEvent id="WatchStart_${i}" isInterrupting="false">
        <bpmn:outgoing>wf_${i}</bpmn:outgoing>
        <bpmn:conditionalEventDefinition>
          <bpmn:condition xsi:type="bpmn:tFormalExpression">n = -${i + 1}</bpmn:condition>
        </bpmn:conditionalEventDefinition>
      </bpmn:startEvent>
      <bpmn:endEvent id="WatchEnd_${i}"><bpmn:incoming>wf_${i}</bpmn:incoming></bpmn:endEvent>
      <bpmn:sequenceFlow id="wf_${i}" sourceRef="WatchStart_${i}" targetRef="WatchEnd_${i}" />
    </bpmn:subProcess>`,
  ).join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:ameide="https://ameide.io/schema/bpmn/1.0" id="d" targetNamespace="https://ameide.io/bench">
  <bpmn:process id="watched-loop" isExecutable="true">
    <bpmn:extensionElements>
      <ameide:variables><ameide:variable name="n" type="number" /></ameide:variables>
    </bpmn:extensionElements>
    <bpmn:startEvent id="Start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="Inc" scriptFormat="feel" ameide:resultVariable="n">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f0</bpmn:outgoing>
      <bpmn:script>if n = null then 1 else n + 1</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:intermediateCatchEvent id="Tick">
      <bpmn:incoming>f0</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDuration>PT1S</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:exclusiveGateway id="More" default="f4">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing><bpmn:outgoing>f4</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:endEvent id="End"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Inc" />
    <bpmn:sequenceFlow id="f0" sourceRef="Inc" targetRef="Tick" />
    <bpmn:sequenceFlow id="f2" sourceRef="Tick" targetRef="More" />
    <bpmn:sequenceFlow id="f3" sourceRef="More" targetRef="Inc">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">n &lt; ${WRITES}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f4" sourceRef="More" targetRef="End" />${watch}
  </bpmn:process>
</bpmn:definitions>`;
}

/**
 * What watching conditions costs (issue 17: "conditional events where their condition depends
 * only on process variables"): the engine alone, on the fake port (virtual time), runs `WRITES`
 * variable changes, each in a wake-up of its own, with 0, 10 and 50 watched conditions. The extra time per re-evaluated condition is
 * set against feelin evaluating the same condition over the same variables directly (parse
 * included, as the engine's first evaluation of an expression does).
 */
export async function benchProcessEngine(): Promise<void> {
  const run = async (watchers: number) => {
    const plan = await compilePlan(loopWithWatchers(watchers));
    const once = async () => {
      const i = await startFakeInstance(plan);
      for (let k = 0; k < WRITES && !i.ended(); k++) await i.port.advance(1000);
      await i.port.settle();
      const ended = i.ended();
      if (ended?.end?.type !== 'completed')
        throw new Error(`watched loop with ${watchers} watchers did not complete`);
    };
    for (let k = 0; k < 2; k++) await once(); // warm up the JIT
    return medianMs(once, 5);
  };
  const none = await run(0);
  report(`${WRITES} variable changes, no watched condition`, none, 'ms', 1, 'itself');
  const direct = await medianMs(() => {
    for (let i = 0; i < WRITES * 10; i++) evaluate(`n = -${(i % 10) + 1}`, { n: i });
  }, 5);
  for (const watchers of [10, 50]) {
    const ms = await run(watchers);
    report(
      `${WRITES} variable changes, ${watchers} watched conditions`,
      ms,
      'ms',
      ms / none,
      'no watched condition',
    );
    const perEvaluation = ((ms - none) * 1000) / (WRITES * watchers);
    report(
      `one re-evaluation of a watched condition (${watchers} watched)`,
      perEvaluation,
      'µs',
      perEvaluation / ((direct * 1000) / (WRITES * 10)),
      'feelin evaluating it directly',
    );
  }
}
