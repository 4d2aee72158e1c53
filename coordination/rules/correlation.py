"""Correlation in space and time: at least N sensors of a kind over their mark, within R metres,
within T minutes. One state for the whole kind (a cluster crosses sensors).

A reading over its sensor's mark makes the sensor a *member* until a reading back at the clear
level (the mark itself when the rule gives none) or until the window passes with none over it. When a member's reading leaves at least N members
within R metres of it, they form a cluster: a new episode, raised at their centre, unless one of
them already belongs to a cluster in progress, which then grows instead (a higher band revises
its severity). A cluster clears when fewer than N of its sensors are still members.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from coordination.rules.definition import Correlation, RuleDefinition
from coordination.rules.observations import Evidence, Observation
from coordination.rules.outcomes import Cleared, Outcome, Raised, SeverityRaised, episode_key
from coordination.rules.state import MAX_EVIDENCE, Cluster, CorrelationState, Member, Quiet
from coordination.routing import haversine_m

SCOPE = "*"
"""A correlation's one state covers every sensor of its kind."""


def is_newer(state: CorrelationState, reading: Observation) -> bool:
    """False for a reading no newer than the last one this state took from its sensor."""
    for member in state.members:
        if member.sensor_id == reading.sensor_id:
            return reading.observed_at > member.reading.observed_at
    for quiet in state.quiet:
        if quiet.sensor_id == reading.sensor_id:
            return reading.observed_at > quiet.at
    return True


def evaluate_correlation(rule: RuleDefinition, state: CorrelationState, reading: Observation, now: datetime
                         ) -> tuple[CorrelationState, tuple[Outcome, ...]]:
    """Take one reading (already known to be newer than the last from its sensor)."""
    condition = rule.condition
    assert isinstance(condition, Correlation)
    was_member = any(member.sensor_id == reading.sensor_id for member in state.members)
    # Over its mark, or a member not yet back past the clear level (between the two, it stays).
    over = (condition.direction.reaches(reading.value, condition.mark_of(reading.sensor_id))
            or (was_member and not condition.cleared(reading.sensor_id, reading.value)))
    if not over and not was_member:
        return expire(rule, state, now)  # a sensor under its mark that was not counted: nothing to remember
    others = tuple(member for member in state.members if member.sensor_id != reading.sensor_id)
    quiet = tuple(item for item in state.quiet if item.sensor_id != reading.sensor_id)
    if over:
        members = (*others, Member(reading.sensor_id, Evidence.of(reading)))
    else:
        members, quiet = others, (*quiet, Quiet(reading.sensor_id, reading.observed_at))
    state, outcomes = expire(rule, CorrelationState(members, quiet, state.clusters, state.episodes), now)
    if not over or not any(member.sensor_id == reading.sensor_id for member in state.members):
        return state, outcomes
    state, formed = _cluster_around(rule, condition, state, reading)
    return state, (*outcomes, *formed)


def expire(rule: RuleDefinition, state: CorrelationState, now: datetime) -> tuple[CorrelationState, tuple[Outcome, ...]]:
    """Drop members and quiet sensors older than the window; clear clusters left too small."""
    condition = rule.condition
    assert isinstance(condition, Correlation)
    start = now - timedelta(seconds=condition.window_s)
    members = tuple(member for member in state.members if member.reading.observed_at >= start)
    quiet = tuple(item for item in state.quiet if item.at >= start)
    live = {member.sensor_id for member in members}
    clusters, outcomes = [], []
    for cluster in state.clusters:
        remaining = [sensor_id for sensor_id in cluster.sensor_ids if sensor_id in live]
        if len(remaining) >= condition.at_least:
            clusters.append(cluster)
        else:
            outcomes.append(Cleared(rule.ref.rule_id, rule.ref.version, cluster.episode, now,
                                    f"{len(remaining)} of the cluster's sensors over their mark, "
                                    f"fewer than {condition.at_least}"))
    if (members, quiet) == (state.members, state.quiet) and not outcomes:
        return state, ()
    return CorrelationState(members, quiet, tuple(clusters), state.episodes), tuple(outcomes)


def _cluster_around(rule: RuleDefinition, condition: Correlation, state: CorrelationState, reading: Observation
                    ) -> tuple[CorrelationState, tuple[Outcome, ...]]:
    near = [member for member in state.members
            if haversine_m(reading.longitude, reading.latitude, member.reading.longitude,
                           member.reading.latitude) <= condition.radius_m]
    if len(near) < condition.at_least:
        return state, ()
    near_ids = {member.sensor_id for member in near}
    joined = next((cluster for cluster in state.clusters if near_ids & set(cluster.sensor_ids)), None)
    if joined is not None:
        return _grown(rule, state, joined, near)
    episodes = state.episodes + 1
    episode = episode_key(rule.ref, SCOPE, episodes)
    severity = max((rule.severity_for(member.reading.value) for member in near), key=lambda item: item.rank)
    ordered = sorted(near, key=lambda member: member.sensor_id)
    longitude = sum(member.reading.longitude for member in near) / len(near)
    latitude = sum(member.reading.latitude for member in near) / len(near)
    raised = Raised(
        rule.ref.rule_id, rule.ref.version, episode, reading.observed_at, severity, longitude, latitude,
        tuple(member.sensor_id for member in ordered), tuple(member.reading for member in ordered)[:MAX_EVIDENCE],
        f"{len(near)} {rule.sensor_kind} sensors over their mark within {condition.radius_m:g} m "
        f"within {condition.window_s // 60} min: {', '.join(member.sensor_id for member in ordered)}",
        reading.agency)
    cluster = Cluster(episode, tuple(member.sensor_id for member in ordered), severity)
    return CorrelationState(state.members, state.quiet, (*state.clusters, cluster), episodes), (raised,)


def _grown(rule: RuleDefinition, state: CorrelationState, cluster: Cluster, near: list[Member]
           ) -> tuple[CorrelationState, tuple[Outcome, ...]]:
    """Add the newly near members to the cluster in progress; revise it if a band is reached."""
    added = sorted((member for member in near if member.sensor_id not in cluster.sensor_ids),
                   key=lambda member: member.sensor_id)
    severity = max((rule.severity_for(member.reading.value) for member in near), key=lambda item: item.rank)
    raised_band = severity.rank > cluster.severity.rank
    if not added and not raised_band:
        return state, ()
    grown = Cluster(cluster.episode, (*cluster.sensor_ids, *(member.sensor_id for member in added)),
                    severity if raised_band else cluster.severity)
    clusters = tuple(grown if item.episode == cluster.episode else item for item in state.clusters)
    new_state = CorrelationState(state.members, state.quiet, clusters, state.episodes)
    if not raised_band:
        return new_state, ()
    evidence = tuple(sorted((member.reading for member in near), key=lambda item: item.sensor_id))[:MAX_EVIDENCE]
    top = max(near, key=lambda member: member.reading.value if rule.direction.value == "above" else -member.reading.value)
    revised = SeverityRaised(rule.ref.rule_id, rule.ref.version, cluster.episode, top.reading.observed_at, severity,
                             evidence, f"{top.sensor_id} at {top.reading.value:g} {rule.unit} reaches the "
                                       f"{severity.value} band")
    return new_state, (revised,)
