"""Lead and stage loaders."""

from gateway.backends.records import Entity, Relation
from loaders.base import ChildCountByParentLoader, ChildrenByParentLoader, EntityByIdLoader


class LeadByIdLoader(EntityByIdLoader):
    entity = Entity.LEAD


class StageByIdLoader(EntityByIdLoader):
    entity = Entity.STAGE


class LeadsByContactLoader(ChildrenByParentLoader):
    relation = Relation.CONTACT_LEADS


class LeadCountByContactLoader(ChildCountByParentLoader):
    relation = Relation.CONTACT_LEADS


class LeadsByAccountLoader(ChildrenByParentLoader):
    relation = Relation.ACCOUNT_LEADS


class LeadCountByAccountLoader(ChildCountByParentLoader):
    relation = Relation.ACCOUNT_LEADS


class LeadsByStageLoader(ChildrenByParentLoader):
    relation = Relation.STAGE_LEADS


class LeadCountByStageLoader(ChildCountByParentLoader):
    relation = Relation.STAGE_LEADS


class LeadStageChangeByIdLoader(EntityByIdLoader):
    entity = Entity.LEAD_STAGE_CHANGE


class StageChangesByLeadLoader(ChildrenByParentLoader):
    relation = Relation.LEAD_STAGE_CHANGES


class StageChangeCountByLeadLoader(ChildCountByParentLoader):
    relation = Relation.LEAD_STAGE_CHANGES


class AutomationRunByIdLoader(EntityByIdLoader):
    entity = Entity.AUTOMATION_RUN


class AutomationRunsByLeadLoader(ChildrenByParentLoader):
    relation = Relation.LEAD_AUTOMATION_RUNS


class AutomationRunCountByLeadLoader(ChildCountByParentLoader):
    relation = Relation.LEAD_AUTOMATION_RUNS
