"""Editors and contributors work only on their editions; an admin on every one."""

import pytest

from herald.accounts.tests.factories import ScopeEditionFactory, UserFactory
from herald.core.roles import Role

pytestmark = pytest.mark.django_db


def test_an_editor_works_only_on_the_editions_given() -> None:
    japan, india = ScopeEditionFactory.create(), ScopeEditionFactory.create()
    editor = UserFactory.create(role=Role.EDITOR, editions=[japan])
    assert editor.edition_ids() == {japan.pk}
    assert editor.may_work_on(japan)
    assert not editor.may_work_on(india)


def test_a_contributor_on_two_editions_works_on_both() -> None:
    japan, india = ScopeEditionFactory.create(), ScopeEditionFactory.create()
    writer = UserFactory.create(role=Role.CONTRIBUTOR, editions=[japan, india])
    assert writer.edition_ids() == {japan.pk, india.pk}
    assert writer.may_work_on(japan) and writer.may_work_on(india)


def test_staff_without_editions_work_on_none() -> None:
    japan = ScopeEditionFactory.create()
    editor = UserFactory.create(role=Role.EDITOR)
    assert editor.edition_ids() == set()
    assert not editor.may_work_on(japan)


def test_an_admin_works_on_every_edition_including_ones_added_later() -> None:
    japan = ScopeEditionFactory.create()
    admin = UserFactory.create(role=Role.ADMIN)
    assert admin.edition_ids() == {japan.pk}
    later = ScopeEditionFactory.create()
    assert admin.may_work_on(later)
    assert admin.edition_ids() == {japan.pk, later.pk}


def test_a_deactivated_admin_falls_back_to_the_editions_given() -> None:
    japan, india = ScopeEditionFactory.create(), ScopeEditionFactory.create()
    admin = UserFactory.create(role=Role.ADMIN, editions=[india], is_active=False)
    assert admin.edition_ids() == {india.pk}
    assert not admin.may_work_on(japan)
