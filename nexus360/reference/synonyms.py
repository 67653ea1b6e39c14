"""Other names for the reference data, as exports from other tools write them.

- Aliases mean exactly the same thing ("U.S.A.", "Holland", "Türkiye"/"Turkey") and are resolved without
  asking. ISO codes and the names themselves need no entry: they are matched whatever their case.
- Synonyms often mean the thing ("medical" a healthcare company, "Korea" South Korea, "Won" the won
  stage) and are only suggested: the person importing decides.

Keyed by ISO 3166 alpha-2 code, industry name and stage name as the crm migrations seed them; a name
an administrator changed simply has no synonyms.
"""

from __future__ import annotations

COUNTRY_ALIASES: dict[str, tuple[str, ...]] = {
    "US": ("United States of America", "U.S.A.", "U.S. of A.", "United States (USA)"),
    "GB": ("UK", "U.K.", "Great Britain", "Britain", "United Kingdom of Great Britain and Northern Ireland"),
    "KR": ("Republic of Korea", "Korea, Republic of", "Korea (South)", "S. Korea"),
    "KP": ("Democratic People's Republic of Korea", "Korea, Democratic People's Republic of", "DPRK"),
    "RU": ("Russia",),
    "NL": ("Holland", "Nederland"),
    "DE": ("Deutschland", "Federal Republic of Germany"),
    "CZ": ("Czech Republic",),
    "AE": ("UAE", "U.A.E.", "Emirates"),
    "CI": ("Ivory Coast", "Cote d'Ivoire"),
    "VN": ("Viet Nam",),
    "IR": ("Iran, Islamic Republic of", "Islamic Republic of Iran"),
    "CN": ("People's Republic of China", "PRC", "Mainland China"),
    "HK": ("Hong Kong SAR", "Hong Kong, China"),
    "MO": ("Macau", "Macao SAR"),
    "LA": ("Lao PDR", "Lao People's Democratic Republic"),
    "SY": ("Syrian Arab Republic",),
    "TZ": ("United Republic of Tanzania", "Tanzania, United Republic of"),
    "BO": ("Bolivia, Plurinational State of",),
    "VE": ("Venezuela, Bolivarian Republic of",),
    "MD": ("Republic of Moldova", "Moldova, Republic of"),
    "MK": ("Macedonia", "FYROM"),
    "SZ": ("Swaziland",),
    "CV": ("Cape Verde",),
    "TR": ("Turkey",),
    "MM": ("Burma",),
    "CD": ("DR Congo", "DRC", "Democratic Republic of the Congo", "Congo-Kinshasa"),
    "CG": ("Republic of the Congo", "Congo-Brazzaville"),
    "BN": ("Brunei",),
    "PS": ("Palestine",),
    "FM": ("Micronesia",),
    "VA": ("Vatican", "Vatican City", "Holy See"),
    "TW": ("Taiwan, Province of China",),
    "TL": ("East Timor",),
    "BS": ("The Bahamas",),
    "GM": ("The Gambia",),
    "ES": ("España",),
    "CH": ("Schweiz", "Suisse", "Svizzera"),
    "AT": ("Österreich",),
    "IT": ("Italia",),
    "BR": ("Brasil",),
    "BE": ("Belgique", "België"),
    "PL": ("Polska",),
    "SE": ("Sverige",),
    "NO": ("Norge",),
    "DK": ("Danmark",),
    "FI": ("Suomi",),
    "JP": ("Nippon", "Nihon"),
}

COUNTRY_SYNONYMS: dict[str, tuple[str, ...]] = {
    "US": ("America",),
    "GB": ("England", "Scotland", "Wales", "Northern Ireland"),
    "KR": ("Korea",),
    "NL": ("Dutch",),
}

INDUSTRY_SYNONYMS: dict[str, tuple[str, ...]] = {
    "Software & Internet": ("software", "technology", "tech", "IT", "information technology", "SaaS", "internet",
                            "computer software", "high tech", "hi-tech"),
    "Financial Services": ("finance", "financial", "fintech", "investment", "asset management"),
    "Banking": ("bank", "banks"),
    "Insurance": ("insurer", "insurers"),
    "Healthcare": ("medical", "health", "health care", "hospital", "hospitals", "medtech"),
    "Pharmaceuticals": ("pharma", "biotech", "biotechnology", "life sciences"),
    "Manufacturing": ("industrial", "industrials", "production"),
    "Automotive": ("auto", "autos", "automobile", "cars"),
    "Retail": ("retailer", "e-commerce", "ecommerce", "shops"),
    "Consumer Goods": ("CPG", "FMCG", "consumer products"),
    "Telecommunications": ("telecom", "telecoms", "telco"),
    "Energy & Utilities": ("energy", "utilities", "oil and gas", "power"),
    "Government": ("public sector", "public administration"),
    "Education": ("school", "schools", "university", "edtech"),
    "Professional Services": ("services", "consulting", "legal", "accounting", "staffing", "employment",
                              "marketing", "advertising"),
    "Media & Entertainment": ("media", "entertainment", "publishing", "gaming"),
    "Transportation & Logistics": ("logistics", "transport", "transportation", "shipping"),
    "Real Estate": ("property", "realty"),
    "Hospitality": ("hotels", "travel", "restaurants", "tourism"),
    "Agriculture": ("farming", "agri"),
    "Aerospace & Defense": ("aerospace", "defense", "defence", "aviation"),
    "Construction": ("building", "civil engineering"),
}

STAGE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "Prospecting": ("prospect", "prospects", "lead", "new"),
    "Qualification": ("qualify", "qualifying", "qualified", "engaging", "engaged", "discovery"),
    "Needs Analysis": ("needs assessment", "analysis", "evaluation", "demo", "solution design"),
    "Proposal": ("quote", "quotation", "price quote", "proposal sent", "proposal/price quote"),
    "Negotiation": ("negotiating", "negotiation/review", "contract", "contracting", "commit"),
    "Closed Won": ("won", "win", "closedwon", "booked", "signed"),
    "Closed Lost": ("lost", "loss", "closedlost", "dead", "no decision"),
}
