"""A CRM export from another tool, as such files come: 85 accounts in one file, opportunities naming them (and
35 sales agents) in another, with the typos, aliases, blanks and mixed formats real exports have.

Deterministic: the same arguments write the same bytes. Every name carries `tag`, so files of two tests
never meet in the database. `write_accounts`/`write_opportunities` return what the tests count on.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

ACCOUNTS = 85
AGENTS = 35
# The sector column as such exports spell it: typos, synonyms, words of our names; how many accounts each.
SECTORS = {"technolgy": 12, "medical": 12, "retail": 17, "software": 7, "entertainment": 6, "marketing": 8,
           "telecommunications": 5, "finance": 9, "services": 4, "employment": 5}
# Office locations: names, codes and aliases of the same country, one typo, one synonym; accounts each.
LOCATIONS = {"United States": 40, "USA": 6, "U.S.": 5, "united states": 4, "Philipines": 5, "Japan": 4,
             "Korea": 4, "Italy": 3, "Norway": 3, "Brazil": 2, "Kenya": 2, "Germany": 2, "Poland": 2,
             "Belgium": 1, "Jordan": 1, "Panama": 1}
STAGES = ("Won", "Lost", "Engaging", "Prospecting")
PRODUCTS = ("GTX Basic", "GTX Pro", "MG Special", "MG Advanced", "GTX Plus Pro", "GTX Plus Basic", "GTK 500")
WORDS = ("Acme", "Betatech", "Cancity", "Dontechi", "Fasteno", "Goodsilron", "Hottechi", "Isdom", "Konex",
         "Lexiqvolax", "Mathtouch", "Newex", "Opentech", "Plussunin", "Rangreen", "Sonron", "Toughzap", "Warephase",
         "Xx-holding", "Zoomit", "Bioholding", "Codehow", "Domzap", "Finhigh", "Genco")
SUFFIXES = ("Corporation", "Inc", "Ltd", "Group", "Holdings", "Partners", "Labs")
FIRST = ("Moses", "Darcel", "Zane", "Maureen", "Vicki", "Anna", "Cassey", "Donn", "Reed", "Corliss", "Lajuana",
         "Markita", "Hayden", "Elease", "Boris", "Violet", "Niesha", "Gladys", "Kami", "Jonathan", "Daniell",
         "Versie", "Rosalina", "Wilburn", "Cecily", "Garret", "Rosie", "James", "Marty", "Hubert", "Kary")
LAST = ("Frase", "Schlecht", "Levitsky", "Lanz", "Laflamme", "Snelling", "Cerrato", "Kinder", "Carstens",
        "Cosme", "Hermann", "Hagan", "Zitzow", "Lindsay", "Weinhold", "Tindall", "Scheel", "Jerabek", "Ascencio")
# Agents who are Nexus360 users: exactly, in another case, and misspelt.
KNOWN_AGENTS = ("Emily Chen", "aisha khan", "Emily Chn")


@dataclass
class AccountsFile:
    path: Path
    names: list[str]
    sectors: Counter[str]
    locations: Counter[str]


@dataclass
class OpportunitiesFile:
    path: Path
    rows: int
    with_account: int
    without_account: int
    agents: list[str]
    account_spellings: Counter[str] = field(default_factory=Counter)  # how the file writes an account's name


def account_names(tag: str) -> list[str]:
    names = [f"{word} {suffix} {tag}" for suffix in SUFFIXES for word in WORDS]
    return names[:ACCOUNTS]


def write_accounts(path: Path, tag: str, *, encoding: str = "utf-8", delimiter: str = ",") -> AccountsFile:
    """accounts.csv: account, sector, year_established, revenue, employees, office_location, subsidiary_of."""
    rng = random.Random(f"accounts-{tag}")
    names = account_names(tag)
    sectors = [sector for sector, count in SECTORS.items() for _ in range(count)]
    locations = [location for location, count in LOCATIONS.items() for _ in range(count)]
    rng.shuffle(sectors)
    rng.shuffle(locations)
    lines = [delimiter.join(["account", "sector", "year_established", "revenue", "employees", "office_location",
                             "subsidiary_of"])]
    for index, name in enumerate(names):
        revenue = rng.uniform(4.5, 11_700)
        written = f"{revenue:,.2f}" if index % 3 else f"{revenue:.2f}"  # 1,100.04 and 1100.04
        sector = sectors[index] if index % 17 else sectors[index].upper()  # a few in capitals
        cells = [name, sector, str(rng.randint(1979, 2017)), written, f"{rng.randint(9, 20_000):,}",
                 locations[index], "" if index % 7 else names[(index + 1) % len(names)]]
        lines.append(delimiter.join(_quoted(cell, delimiter) for cell in cells))
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return AccountsFile(path, names, Counter(s.lower() for s in sectors[:ACCOUNTS]), Counter(locations))


def write_opportunities(path: Path, tag: str, *, rows: int = 880, delimiter: str = ",") -> OpportunitiesFile:
    """sales_pipeline.csv: opportunity_id, sales_agent, product, account, deal_stage, engage_date, close_date,
    close_value. About one in six has no account yet; accounts are named in several spellings."""
    rng = random.Random(f"opportunities-{tag}")
    names = account_names(tag)
    agents = list(KNOWN_AGENTS) + [f"{FIRST[i % len(FIRST)]} {LAST[i % len(LAST)]}" for i in range(AGENTS - 3)]
    lines = [delimiter.join(["opportunity_id", "sales_agent", "product", "account", "deal_stage", "engage_date",
                             "close_date", "close_value"])]
    result = OpportunitiesFile(path, rows, 0, 0, agents)
    start = date(2016, 10, 20)
    for index in range(rows):
        stage = STAGES[index % 4] if index % 6 else rng.choice(("Engaging", "Prospecting"))
        account = "" if index % 6 == 0 else _spelling(names[rng.randrange(len(names))], index, tag)
        engaged = start + timedelta(days=rng.randint(0, 430))
        closed = engaged + timedelta(days=rng.randint(1, 120))
        value = rng.randint(38, 30_288)
        cells = [f"OPP{index:05d}{tag}", agents[index % AGENTS], PRODUCTS[index % len(PRODUCTS)], account, stage,
                 engaged.isoformat(), _date(closed, index) if stage in ("Won", "Lost") else "",
                 _money(value, index) if stage in ("Won", "Lost") else ""]
        lines.append(delimiter.join(_quoted(cell, delimiter) for cell in cells))
        if account:
            result.with_account += 1
            result.account_spellings[account] += 1
        else:
            result.without_account += 1
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return result


def _spelling(name: str, index: int, tag: str) -> str:
    """How the opportunities file writes an account: mostly as the accounts file does, sometimes in another
    case or spacing (the same company), and one company as "Acme Corp" (a suggestion, never a silent merge)."""
    if name == f"Acme Corporation {tag}" and index % 2:
        return f"Acme Corp {tag}"
    if index % 11 == 0:
        return name.upper()
    if index % 13 == 0:
        return name.replace(" ", "  ")
    return name


def _date(day: date, index: int) -> str:
    """ISO, month first (3/1/2017, with days past 12 so the order shows), or an Excel serial number."""
    if index % 5 == 0:
        return str((day - date(1899, 12, 30)).days)
    if index % 2:
        return f"{day.month}/{day.day}/{day.year}"
    return day.isoformat()


def _money(value: int, index: int) -> str:
    short = f"{value / 1000:.1f}k" if value % 100 == 0 else str(value)  # 1.1k
    return (f"{value:,}", f"${value:,}", str(value), short)[index % 4]


def _quoted(cell: str, delimiter: str) -> str:
    return f'"{cell}"' if delimiter in cell or '"' in cell else cell
