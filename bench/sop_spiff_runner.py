"""The peer half of `sop_engine_throughput.py`: the same 10-step process as BPMN, run by
SpiffWorkflow. Run with a Python that has SpiffWorkflow (a benchmark-only dependency, never
imported by the engine); prints `{"runs_per_second": ...}`."""

from __future__ import annotations

import argparse
import json
import time

from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.parser import BpmnParser
from SpiffWorkflow.util.task import TaskState

# The SOP's structure: t1, then t2 t3 t4 in parallel, join, t5, t6, then t7 t8 in parallel,
# join, t9, t10. Tasks are manual tasks: each waits for someone to complete it, like an
# agency's task, and the benchmark completes them as soon as they are ready.
FLOWS = [("start", "t1"), ("t1", "split1"), ("split1", "t2"), ("split1", "t3"), ("split1", "t4"),
         ("t2", "join1"), ("t3", "join1"), ("t4", "join1"), ("join1", "t5"), ("t5", "t6"), ("t6", "split2"),
         ("split2", "t7"), ("split2", "t8"), ("t7", "join2"), ("t8", "join2"), ("join2", "t9"), ("t9", "t10"),
         ("t10", "end")]
TASKS = [f"t{number}" for number in range(1, 11)]
GATEWAYS = ["split1", "join1", "split2", "join2"]


def bpmn_document() -> bytes:
    named = [(f"flow{index}", source, target) for index, (source, target) in enumerate(FLOWS)]

    def wiring(node: str) -> str:
        incoming = "".join(f"<bpmn:incoming>{name}</bpmn:incoming>" for name, _, target in named if target == node)
        outgoing = "".join(f"<bpmn:outgoing>{name}</bpmn:outgoing>" for name, source, _ in named if source == node)
        return incoming + outgoing

    elements = [f'<bpmn:startEvent id="start">{wiring("start")}</bpmn:startEvent>']
    elements += [f'<bpmn:manualTask id="{task}" name="{task}">{wiring(task)}</bpmn:manualTask>' for task in TASKS]
    elements += [f'<bpmn:parallelGateway id="{gate}">{wiring(gate)}</bpmn:parallelGateway>' for gate in GATEWAYS]
    elements.append(f'<bpmn:endEvent id="end">{wiring("end")}</bpmn:endEvent>')
    elements += [f'<bpmn:sequenceFlow id="{name}" sourceRef="{source}" targetRef="{target}"/>'
                 for name, source, target in named]
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="sop" '
            'targetNamespace="https://iccc.example/bench"><bpmn:process id="ten_steps" isExecutable="true">'
            + "".join(elements) + "</bpmn:process></bpmn:definitions>").encode()


def drive_one(spec) -> int:
    workflow = BpmnWorkflow(spec)
    workflow.do_engine_steps()
    completed = 0
    while not workflow.is_completed():
        for task in workflow.get_tasks(state=TaskState.READY, manual=True):
            task.run()
            completed += 1
        workflow.do_engine_steps()
    assert completed == 10
    return completed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clock", choices=["cpu", "wall"], default="wall",
                        help="count this process's CPU time or elapsed time (as the engine's side does)")
    arguments = parser.parse_args()
    clock = time.process_time if arguments.clock == "cpu" else time.perf_counter
    bpmn = BpmnParser()
    bpmn.add_bpmn_xml(etree.fromstring(bpmn_document()), filename="ten_steps.bpmn")
    spec = bpmn.get_spec("ten_steps")
    drive_one(spec)
    runs, started = 0, clock()
    while clock() - started < arguments.seconds:
        for _ in range(20):
            drive_one(spec)
            runs += 1
    print(json.dumps({"runs_per_second": runs / (clock() - started)}))


if __name__ == "__main__":
    main()
