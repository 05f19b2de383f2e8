"""The content corrections of issue 14, each checked against the source when it was made, kept
from sliding back: memberships of posts held by staff, faithful descriptions, approvals that
belong to the exception, firm and effort parts split, pledges reaching fixed-term staff, list items
carrying their lead-in's condition."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def content(real_content):
    return real_content


def obligation(content, oid):
    return next(o for o in content.policy(oid.split(".")[0]).obligations if o.id == oid)


def test_posts_held_by_staff_follow_the_staff_rules(content):
    assert "staff" in content.policy("miyako").role("ciso").member_of  # 5.2 (４) 幹部を含めた全ての職員等
    assert "staff" in content.policy("miyako").role("chief-security-manager").member_of
    assert "staff" in content.policy("nabari").role("cio").member_of
    assert "staff" in content.policy("moriyama").role("committee-chair").member_of  # 第12条第4項: 総括管理責任者


def test_system_admin_description_keeps_the_exclusion(content):
    assert "部等において所有している情報システムを除く" in content.policy("miyako").role("system-admin").description


def test_approval_belongs_to_the_exception_of_article_25(content):
    assert obligation(content, "moriyama.critical-equipment-in-security-zone").approver == ()
    exception = obligation(content, "moriyama.critical-equipment-office-zone-exception")
    assert exception.approver == ("network-manager",) and exception.text.startswith("ただし、")
    assert set(obligation(content, "moriyama.no-sharing-accounts-and-cards").approver) == {"system-admin", "network-manager"}


@pytest.mark.parametrize("firm, effort", [
    ("miyako.attack-keep-records", "miyako.attack-records-police"),
    ("nabari.policy-review", "nabari.policy-maintain-and-operate"),
    ("moriyama.review-after-audit", "moriyama.maintain-measures-after-review"),
])
def test_firm_and_effort_parts_of_one_sentence_are_split(content, firm, effort):
    assert obligation(content, firm).modality == "must" and obligation(content, effort).modality == "should"


def test_pledges_reach_fixed_term_staff_and_sns_sits_under_its_topic(content):
    assert obligation(content, "miyako.fixed-term-staff-consent").applies_to == ("fixed-term-staff",)
    assert obligation(content, "nabari.temp-staff-consent-form").applies_to == ("temp-staff",)
    assert obligation(content, "miyako.sns-no-confidential-posts").topic == "internet-use"


def test_list_items_carry_their_lead_ins_condition(content):
    items = [o for o in content.policy("moriyama").live_obligations if o.clause.startswith(("第26条第", "第63条第1項第"))]
    assert items and all(o.when for o in items)
