/**
 * BPMN of small processes the tests build on (beside the examples in `examples/processes/`):
 * the compensation saga of `runtime.int.test.ts` and the unit tests of the engine.
 */

/**
 * While an order is a draft every step can be undone on its own: lines removed, then the order
 * cancelled. `steps` are the tasks between `Start` (flow F1) and the error end (flow F4).
 */
export const draftSaga = (name: string, steps: string) => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:ameide="https://ameide.io/schema/bpmn/1.0" id="D" targetNamespace="https://ameide.io/bpmn/tests">
  <bpmn:error id="Error_OutOfStock" name="OutOfStock" errorCode="OutOfStock" />
  <bpmn:process id="${name}" name="${name}" isExecutable="true">
    <bpmn:extensionElements><ameide:variables>
      <ameide:variable name="orderId" type="string" /><ameide:variable name="lineId" type="string" />
    </ameide:variables></bpmn:extensionElements>
    <bpmn:startEvent id="Start"><bpmn:outgoing>F1</bpmn:outgoing></bpmn:startEvent>
    ${steps}
    <bpmn:endEvent id="End_OutOfStock"><bpmn:incoming>F4</bpmn:incoming><bpmn:errorEventDefinition id="E" errorRef="Error_OutOfStock" /></bpmn:endEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Task_Create" />
    <bpmn:sequenceFlow id="F2" sourceRef="Task_Create" targetRef="Task_Line1" />
    <bpmn:sequenceFlow id="F3" sourceRef="Task_Line1" targetRef="Task_Line2" />
    <bpmn:sequenceFlow id="F4" sourceRef="Task_Line2" targetRef="End_OutOfStock" />
  </bpmn:process>
</bpmn:definitions>`;

/** The saga's first step: creates the draft order; compensated by cancelling it. */
export const draftSagaCreate = `
    <bpmn:serviceTask id="Task_Create"><bpmn:extensionElements>
      <ameide:serviceBinding service="ameide.sales.v1.OrderService" method="CreateOrder">
        <ameide:input>{ customerId: "c", currency: "EUR" }</ameide:input>
        <ameide:output>{ orderId: response.order.orderId }</ameide:output>
        <ameide:compensation method="CancelOrder"><ameide:input>{ orderId: orderId, reason: "out of stock" }</ameide:input></ameide:compensation>
      </ameide:serviceBinding></bpmn:extensionElements>
      <bpmn:outgoing>F2</bpmn:outgoing><bpmn:incoming>F1</bpmn:incoming></bpmn:serviceTask>`;

/** A saga step adding a line (its id into `variable`); compensated by removing that line. */
export const draftSagaLine = (id: string, incoming: string, outgoing: string, variable: string) => `
    <bpmn:serviceTask id="${id}"><bpmn:extensionElements>
      <ameide:serviceBinding service="ameide.sales.v1.OrderService" method="AddOrderLine">
        <ameide:input>{ orderId: orderId, sku: "${id}", quantity: 1, unitPrice: { currency: "EUR", amountMinor: 100 } }</ameide:input>
        <ameide:output>{ ${variable}: response.order.lines[count(response.order.lines)].lineId }</ameide:output>
        <ameide:compensation method="RemoveOrderLine"><ameide:input>{ orderId: orderId, lineId: ${variable} }</ameide:input></ameide:compensation>
      </ameide:serviceBinding></bpmn:extensionElements>
      <bpmn:incoming>${incoming}</bpmn:incoming><bpmn:outgoing>${outgoing}</bpmn:outgoing></bpmn:serviceTask>`;

/**
 * A parallel split into a user task and a service task; the service branch ends in a terminate
 * end event, which ends the instance while the user task is still open.
 */
export const terminateRace = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:ameide="https://ameide.io/schema/bpmn/1.0" id="D" targetNamespace="https://ameide.io/bpmn/tests">
  <bpmn:process id="terminate-race" name="terminate-race" isExecutable="true">
    <bpmn:startEvent id="Start"><bpmn:outgoing>F1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:parallelGateway id="Split"><bpmn:incoming>F1</bpmn:incoming><bpmn:outgoing>F2</bpmn:outgoing><bpmn:outgoing>F3</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:userTask id="Task_Wait"><bpmn:extensionElements><ameide:userTaskBinding title="Wait" /></bpmn:extensionElements>
      <bpmn:incoming>F2</bpmn:incoming><bpmn:outgoing>F4</bpmn:outgoing></bpmn:userTask>
    <bpmn:serviceTask id="Task_Create"><bpmn:extensionElements>
      <ameide:serviceBinding service="ameide.sales.v1.OrderService" method="CreateOrder">
        <ameide:input>{ customerId: "c", currency: "EUR" }</ameide:input>
        <ameide:output>{ orderId: response.order.orderId }</ameide:output>
      </ameide:serviceBinding></bpmn:extensionElements>
      <bpmn:incoming>F3</bpmn:incoming><bpmn:outgoing>F5</bpmn:outgoing></bpmn:serviceTask>
    <bpmn:endEvent id="End_Waited"><bpmn:incoming>F4</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="End_Terminate"><bpmn:incoming>F5</bpmn:incoming><bpmn:terminateEventDefinition id="T" /></bpmn:endEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Split" />
    <bpmn:sequenceFlow id="F2" sourceRef="Split" targetRef="Task_Wait" />
    <bpmn:sequenceFlow id="F3" sourceRef="Split" targetRef="Task_Create" />
    <bpmn:sequenceFlow id="F4" sourceRef="Task_Wait" targetRef="End_Waited" />
    <bpmn:sequenceFlow id="F5" sourceRef="Task_Create" targetRef="End_Terminate" />
  </bpmn:process>
</bpmn:definitions>`;
