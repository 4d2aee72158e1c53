"""Properties of every shipped SOP under any behaviour of the world (hypothesis): saved and
restored at every step it behaves the same, its events replay to the same run, a responsive
world always finishes it, and nothing ever stalls without an escalation."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sop_engine import (
    AgencyRole,
    DecisionAction,
    DispatchAction,
    NotifyAction,
    RunStarted,
    RunStatus,
    StepStatus,
    TimerFired,
    advance,
    new_run,
    replay,
    run_to_json,
    shipped_sops,
)
from sop_engine.dry_run import DRY_RUN_START, DryRunScript, dry_run, save_and_restore

SOPS = shipped_sops()
MINUTES = st.integers(min_value=0, max_value=240).map(lambda minutes: f"{minutes}m" if minutes else "1s")


def behaviours(responsive: bool):
    answering = st.fixed_dictionaries({"acknowledge": MINUTES, "complete": MINUTES})
    if responsive:
        return answering
    return st.one_of(answering, st.just({"silent": True}), st.just({"reject": "no units"}),
                     st.just({"uncovered": True}))


@st.composite
def scripts(draw, definition, *, responsive: bool) -> DryRunScript:
    incident_type = draw(st.sampled_from(sorted(definition.trigger.incident_types)))
    severity = draw(st.sampled_from(definition.trigger.severities()))
    details = draw(st.fixed_dictionaries({}, optional={
        "casualties": st.integers(0, 50), "people_trapped": st.integers(0, 20),
        "hazardous_material": st.booleans(), "mass_gathering": st.booleans(),
    }))
    roles = [role.value for role in AgencyRole]
    agencies = {role: draw(behaviours(responsive)) for role in roles}
    decisions, notices, dispatch = {}, {}, {}
    for step in definition.steps:
        if isinstance(step.action, DecisionAction):
            decisions[step.step_id] = {"choose": draw(st.sampled_from(step.action.options)), "after": draw(MINUTES)}
        elif isinstance(step.action, NotifyAction) and step.action.public:
            notices[step.step_id] = {"approve": draw(st.booleans()), "after": draw(MINUTES)}
        elif isinstance(step.action, DispatchAction) and draw(st.booleans()):
            dispatch[step.step_id] = {"confirm": ["unit-1"], "after": draw(MINUTES)}
    stand_down = None if responsive or draw(st.booleans()) else {"after": draw(MINUTES), "reason": "test"}
    return DryRunScript.model_validate({
        "incident": {"type": incident_type, "severity": severity.value, "details": details},
        "agencies": agencies, "decisions": decisions, "notices": notices, "dispatch": dispatch,
        "stand_down": stand_down, "until": "3d",
    })


PROPERTY_SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("definition", SOPS, ids=[sop.ref.sop_id for sop in SOPS])
@PROPERTY_SETTINGS
@given(data=st.data())
def test_a_responsive_world_always_finishes_the_run_and_restoring_it_changes_nothing(definition, data):
    script = data.draw(scripts(definition, responsive=True))
    restored = dry_run(definition, script, checkpoint=save_and_restore(definition))
    straight = dry_run(definition, script)
    assert restored.trace_text() == straight.trace_text()
    assert run_to_json(restored.run) == run_to_json(straight.run)
    assert restored.run.status in (RunStatus.COMPLETED, RunStatus.INCOMPLETE)
    replayed = replay(run_id="dry-run", definition=definition, incident=script.facts(), events=restored.events)
    assert replayed == restored.run


@pytest.mark.parametrize("definition", SOPS, ids=[sop.ref.sop_id for sop in SOPS])
@PROPERTY_SETTINGS
@given(data=st.data())
def test_nothing_stalls_silently_and_no_deadline_fires_twice(definition, data):
    script = data.draw(scripts(definition, responsive=False))
    result = dry_run(definition, script, checkpoint=save_and_restore(definition))
    run = result.run
    fired = Counter(event.key for _at, event in result.events if isinstance(event, TimerFired))
    once_only = {key: count for key, count in fired.items() if not key.startswith(("ladder:", "step-ladder:"))}
    assert set(once_only.values()) <= {1}
    if run.is_finished:
        assert run.timers == {}
        assert all(state.status.is_settled for state in run.steps.values())
        return
    escalated = {line.text.split(" ", 1)[0] for line in result.trace if line.kind == "escalate"}
    for step_id, state in run.steps.items():
        if state.status is StepStatus.ACTIVE:
            has_deadline = any(step_id in key or any(task_id in key for task_id in state.task_ids)
                               for key in run.timers)
            assert has_deadline or step_id in escalated, f"step {step_id} is waiting with no deadline and no escalation"


@pytest.mark.parametrize("definition", SOPS, ids=[sop.ref.sop_id for sop in SOPS])
@PROPERTY_SETTINGS
@given(data=st.data())
def test_advance_never_changes_the_run_it_is_given(definition, data):
    """Each run `advance` returns is the input of the next event: every one of them, kept
    aside, still says exactly what it said when it was returned, and its tables refuse writes."""
    script = data.draw(scripts(definition, responsive=False))
    kept: list[tuple[object, dict]] = []

    def keep(run):
        kept.append((run, run_to_json(run)))
        return run

    first = new_run(run_id="dry-run", definition=definition, incident=script.facts())
    first_json = run_to_json(first)
    advance(first, RunStarted(script.facts()), DRY_RUN_START)
    assert run_to_json(first) == first_json
    dry_run(definition, script, checkpoint=keep)
    assert kept and all(run_to_json(run) == saved for run, saved in kept)
    run = kept[-1][0]
    for table in (run.steps, run.tasks, run.timers):
        with pytest.raises(TypeError):
            table["anything"] = None  # type: ignore[index]
