"""Explain a plan: for each unit sent, why it and what the closest-unit choice would have cost."""

from __future__ import annotations

from dataclasses import replace

from coordination.planner.candidates import DispatchProblem
from coordination.planner.plan import AssignmentExplanation, Plan


def explain_plan(*, problem: DispatchProblem, plan: Plan) -> Plan:
    """Return `plan` with one explanation per assignment.

    Each names the unit's rank by travel time among those that could meet the need, the closest
    such unit, how many seconds sooner it would have arrived, and where the plan sends it
    instead: the trade the duty officer is asked to accept.
    """
    sent_to = {a.unit_id: a.incident_id for a in plan.assignments}
    group_of = {(problem.demands[g.demand_index].incident_id, g.need): g for g in problem.groups}
    priority_of = {d.incident_id: d.priority for d in problem.demands}
    explanations = []
    for assignment in plan.assignments:
        group = group_of[(assignment.incident_id, assignment.need)]
        closest_index = int(group.unit_indices[0])
        closest_eta_s = int(group.eta_s[0])
        closest_id = problem.units[closest_index].id
        rank = 1 + int((group.eta_s < assignment.eta_s).sum())
        extra_s = assignment.eta_s - closest_eta_s
        elsewhere = sent_to.get(closest_id, "")
        closest_sent_to = "" if elsewhere == assignment.incident_id else elsewhere
        if closest_id == assignment.unit_id or extra_s == 0:
            text = f"{assignment.unit_id} is the closest {assignment.need} ({assignment.eta_s} s)."
        else:
            where = (f"it goes to {closest_sent_to} (priority {priority_of[closest_sent_to]})"
                     if closest_sent_to else "it is kept free")
            if not closest_sent_to and elsewhere == assignment.incident_id:
                where = "it is also sent here"
            text = (f"{assignment.unit_id} ({assignment.eta_s} s) is number {rank} by travel time for this "
                    f"{assignment.need}; the closest, {closest_id}, would arrive {extra_s} s sooner, but {where}.")
        explanations.append(AssignmentExplanation(
            unit_id=assignment.unit_id, incident_id=assignment.incident_id, need=assignment.need,
            eta_s=assignment.eta_s, rank=rank, closest_unit_id=closest_id, closest_eta_s=closest_eta_s,
            extra_s=extra_s, closest_sent_to=closest_sent_to, text=text,
        ))
    return replace(plan, explanations=tuple(explanations))
