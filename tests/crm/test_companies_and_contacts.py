"""Companies and contacts: validation, duplicates, deletion rules and permissions."""

from __future__ import annotations

import pytest

from nexus360.common.errors import AuthorizationError, ValidationError
from nexus360.common.validation import parse
from nexus360.crm import service
from nexus360.crm.models import Contact, Deal
from nexus360.crm.schemas import CompanyCreate, ContactCreate


def test_company_input_is_cleaned() -> None:
    data = CompanyCreate(name="  Acme   Corp ", domain="https://www.ACME.com/about", annual_revenue="1250000")
    assert (data.name, data.domain, str(data.annual_revenue)) == ("Acme Corp", "acme.com", "1250000")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "^Name is required.$"),
        ({"name": "   "}, "^Name is required.$"),
        ({"name": "x", "domain": "not a domain"}, "'not a domain' is not a valid domain"),
        ({"name": "x", "annual_revenue": "-5"}, "^Annual revenue must not be negative.$"),
        ({"name": "x", "annual_revenue": "lots"}, "^Annual revenue must be a number.$"),
        ({"name": "x" * 256}, "^Name must be at most 255 characters.$"),
    ],
)
def test_bad_company_input_is_refused_with_a_clear_message(fields, message) -> None:
    with pytest.raises(ValidationError, match=message):
        parse(CompanyCreate, **fields)


def test_rep_creates_a_company_and_reads_it_back(crm, rep) -> None:
    created = service.create_company(crm, rep, data=CompanyCreate(name="<b>Bold</b> =SUM(A1)", domain="bold.example"))
    assert service.get_company(crm, rep, company_id=created.id).name == "<b>Bold</b> =SUM(A1)"


def test_marketer_cannot_create_a_company(crm, marketer) -> None:
    with pytest.raises(AuthorizationError, match="crm.write"):
        service.create_company(crm, marketer, data=CompanyCreate(name="Nope"))


def test_duplicate_companies_are_found_by_name_or_domain(crm, rep, company) -> None:
    by_name = service.find_duplicate_companies(crm, rep, data=CompanyCreate(name="planted widgets gmbh"))
    by_domain = service.find_duplicate_companies(
        crm, rep, data=CompanyCreate(name="Other", domain="planted-widgets.example")
    )
    assert [row[0] for row in by_name] == [company.id] == [row[0] for row in by_domain]


def test_company_with_contacts_or_deals_cannot_be_deleted(crm, manager, company) -> None:
    crm.add(Contact(company_id=company.id, email="someone@planted-widgets.example"))
    crm.flush()
    with pytest.raises(ValidationError, match="still has 1 contact"):
        service.delete_company(crm, manager, company_id=company.id)
    assert service.get_company(crm, manager, company_id=company.id).id == company.id


def test_empty_company_is_deleted_by_a_manager_but_not_by_a_rep(crm, rep, manager, company) -> None:
    with pytest.raises(AuthorizationError):
        service.delete_company(crm, rep, company_id=company.id)
    service.delete_company(crm, manager, company_id=company.id)
    assert service.list_companies(crm, manager, search="Planted Widgets").rows.empty


def test_company_list_is_paginated_by_keyset(crm, rep) -> None:
    first = service.list_companies(crm, rep, limit=10)
    second = service.list_companies(crm, rep, limit=10, after=first.next_after)
    assert len(first.rows) == len(second.rows) == 10
    assert set(first.rows["id"]).isdisjoint(second.rows["id"])
    assert list(first.rows["name"]) == sorted(first.rows["name"])
    assert first.rows["name"].iloc[-1] <= second.rows["name"].iloc[0]


def test_search_treats_wildcards_as_text(crm, rep) -> None:
    assert service.list_companies(crm, rep, search="%").rows.empty


@pytest.mark.parametrize("email", ["not-an-email", "a@b", "x@@y.com", "<script>@x.com"])
def test_contact_email_must_be_valid(email) -> None:
    with pytest.raises(ValidationError, match="is not a valid email address"):
        parse(ContactCreate, email=email)


def test_contact_email_is_lowercased_and_duplicates_are_found(crm, rep, company) -> None:
    created = service.create_contact(
        crm, rep, data=ContactCreate(email=" Jane.Doe@Planted-Widgets.example ", company_id=company.id)
    )
    assert created.email == "jane.doe@planted-widgets.example"
    found = service.find_duplicate_contacts(crm, rep, email="JANE.DOE@planted-widgets.example")
    assert [row[0] for row in found] == [created.id]


def test_contact_of_a_missing_company_is_refused(crm, rep) -> None:
    with pytest.raises(ValidationError, match="does not exist"):
        service.create_contact(crm, rep, data=ContactCreate(email="x@y.example", company_id=987654321))


def test_contact_named_by_a_deal_cannot_be_deleted(crm, manager, company) -> None:
    contact = Contact(company_id=company.id, email="buyer@planted-widgets.example")
    crm.add(contact)
    crm.flush()
    crm.add(Deal(title="Big one", company_id=company.id, contact_id=contact.id, stage_id=1, owner_id=7))
    crm.flush()
    with pytest.raises(ValidationError, match="1 deal"):
        service.delete_contact(crm, manager, contact_id=contact.id)
