"""Lead scoring rules: marketers list and edit them, and re-score every lead in batches.

The score itself is computed by scoring/engine.py (pure); this module reads and writes the rules and the
leads' stored scores, checking the permission on every call.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy.orm import Session

from nexus360.auth.schemas import Principal
from nexus360.auth.service import require
from nexus360.common.errors import NotFoundError
from nexus360.marketing import repository
from nexus360.marketing.models import LeadScoringRule
from nexus360.marketing.schemas import ScoringRuleInput, ScoringRuleRead
from nexus360.marketing.scoring.engine import score_lead


def list_scoring_rules(session: Session, principal: Principal) -> list[ScoringRuleRead]:
    """Every scoring rule, by kind and value."""
    require(principal, "marketing.read")
    return [ScoringRuleRead.model_validate(rule) for rule in repository.list_scoring_rules(session)]


def save_scoring_rule(
    session: Session, principal: Principal, *, data: ScoringRuleInput, rule_id: int | None = None
) -> ScoringRuleRead:
    """Create a rule, or change rule `rule_id` (permission marketing.write)."""
    require(principal, "marketing.write")
    if rule_id is None:
        rule = LeadScoringRule(**data.model_dump())
        session.add(rule)
    else:
        rule = repository.get_scoring_rule(session, rule_id)
        if rule is None:
            raise NotFoundError(f"Scoring rule {rule_id} does not exist (it may have been deleted).")
        for name, value in data.model_dump().items():
            setattr(rule, name, value)
    session.flush()
    return ScoringRuleRead.model_validate(rule)


def save_scoring_rules(
    session: Session, principal: Principal, *, changes: list[tuple[int | None, ScoringRuleInput]]
) -> int:
    """Save several edited rules (rule id, or None for a new one) in the caller's one transaction."""
    for rule_id, data in changes:
        save_scoring_rule(session, principal, data=data, rule_id=rule_id)
    return len(changes)


def active_rules(session: Session) -> list[ScoringRuleRead]:
    """The rules that count now, for scoring leads as they are written (lead services, imports, demo data).

    No permission check: the rules are not shown to anyone by this call, only applied.
    """
    return [ScoringRuleRead.model_validate(rule) for rule in repository.list_scoring_rules(session, active_only=True)]


def rescore_all(
    session: Session,
    principal: Principal,
    *,
    today: date,
    batch_size: int = 1000,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Apply the active rules to every lead, in id-ordered batches (permission marketing.write)."""
    require(principal, "marketing.write")
    rules = active_rules(session)
    total = repository.count_leads(session)
    done = changed = 0
    after_id = 0
    while True:
        batch = repository.lead_scoring_batch(session, after_id=after_id, limit=batch_size)
        if not batch:
            break
        updates = []
        for lead in batch:
            score, reasons = score_lead(lead, lead["campaign_type"], rules, today)
            stored = [[label, points] for label, points in reasons]
            if score != lead["score"] or stored != lead["score_reasons"]:
                updates.append({"lead_id": lead["id"], "new_score": score, "new_reasons": stored})
        repository.update_scores(session, updates)
        done += len(batch)
        changed += len(updates)
        after_id = batch[-1]["id"]
        if progress is not None:
            progress(done, total)
    return {"leads": done, "changed": changed}
