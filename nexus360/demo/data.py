"""Fixed tables the demo seed draws from: staff, names, companies, campaigns, templates."""

from __future__ import annotations

from nexus360.auth.schemas import ADMIN, MARKETER, SALES_MANAGER, SALES_REP

EMAIL_DOMAIN = "nexus360.example.com"


def _words(text: str) -> list[str]:
    return text.split()


# first, last, role, manager (by first name), demo username, hired (months before the anchor),
# left (months before the anchor; None while employed)
STAFF: list[tuple[str, str, str, str | None, str | None, int, int | None]] = [
    ("Ingrid", "Solberg", ADMIN, None, "admin", 48, None),
    ("Elena", "Vasquez", SALES_MANAGER, None, "manager", 47, None),
    ("Sophie", "Lambert", SALES_MANAGER, "Elena", None, 46, None),
    ("Daniel", "Okafor", SALES_MANAGER, "Elena", None, 46, None),
    ("Lars", "Eriksson", SALES_REP, "Sophie", None, 45, None),
    ("Aisha", "Khan", SALES_REP, "Sophie", None, 40, None),
    ("Tomasz", "Nowak", SALES_REP, "Sophie", None, 44, 7),
    ("Emily", "Chen", SALES_REP, "Daniel", "rep", 45, None),
    ("Rafael", "Costa", SALES_REP, "Daniel", None, 38, None),
    ("Arjun", "Mehta", SALES_REP, "Daniel", None, 15, None),
    ("Nadia", "Rahman", MARKETER, None, "marketer", 44, None),
    ("Jonas", "Becker", MARKETER, "Nadia", None, 30, None),
]

# Given and family names by region, so a German company's contacts sound German.
NAMES: dict[str, tuple[list[str], list[str]]] = {
    "en_us": (
        _words("James Emily Michael Sarah David Jessica Robert Ashley Daniel Megan Kevin Rachel Brian Nicole"),
        _words("Smith Johnson Williams Brown Jones Miller Davis Garcia Wilson Anderson Taylor Moore Martin Walker"),
    ),
    "en_gb": (
        _words("Oliver Charlotte Harry Amelia George Olivia Jack Emily Thomas Sophie William Grace"),
        _words("Smith Jones Taylor Brown Williams Wilson Evans Roberts Wright Hughes Patel Clarke"),
    ),
    "de": (
        _words("Lukas Anna Felix Lena Jonas Laura Maximilian Julia Leon Sarah Tobias Katharina"),
        _words("Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Hoffmann Schulz Koch Richter"),
    ),
    "fr": (
        _words("Lucas Camille Hugo Léa Louis Manon Gabriel Chloé Arthur Inès Julien Sophie"),
        _words("Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Laurent Lefèvre"),
    ),
    "nl": (
        _words("Daan Emma Sem Julia Lucas Sophie Bram Lotte Thijs Sanne Jesse Fleur"),
        ["de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Visser", "Smit", "Meijer", "Bos"],
    ),
    "nordic": (
        _words("Erik Astrid Lars Ingrid Johan Elin Anders Maja Nils Freja Oskar Sofia"),
        _words("Andersson Johansson Karlsson Nilsson Eriksson Larsson Olsen Hansen Lindqvist Berg Dahl Virtanen"),
    ),
    "ja": (
        _words("Haruto Yui Sota Aoi Ren Hina Takumi Sakura Kenji Yuki Daiki Mei"),
        _words("Sato Suzuki Takahashi Tanaka Watanabe Ito Yamamoto Nakamura Kobayashi Kato Yoshida Yamada"),
    ),
    "in": (
        _words("Aarav Priya Vihaan Ananya Arjun Diya Rohan Kavya Vikram Neha Aditya Pooja"),
        _words("Sharma Patel Singh Kumar Gupta Reddy Iyer Nair Mehta Joshi Rao Banerjee"),
    ),
    "pt_br": (
        _words("Gabriel Ana Lucas Beatriz Mateus Júlia Pedro Mariana Rafael Larissa Thiago Camila"),
        _words("Silva Santos Oliveira Souza Lima Pereira Costa Ferreira Rodrigues Almeida Carvalho Ribeiro"),
    ),
    "es": (
        _words("Alejandro Lucía Pablo María Javier Carmen Diego Laura Sergio Paula Álvaro Marta"),
        _words("García Fernández González Rodríguez López Martínez Sánchez Pérez Gómez Ruiz Díaz Moreno"),
    ),
    "it": (
        _words("Marco Giulia Luca Francesca Alessandro Chiara Matteo Sara Lorenzo Elena Davide Martina"),
        _words("Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Bruno Conti"),
    ),
}

# ISO code: weight, name region, web domain ending, legal forms, dialling code
COUNTRIES: dict[str, tuple[int, str, str, list[str], str]] = {
    "US": (30, "en_us", "com", ["Inc.", "LLC", "Corp."], "+1"),
    "GB": (12, "en_gb", "co.uk", ["Ltd", "plc"], "+44"),
    "DE": (10, "de", "de", ["GmbH", "AG"], "+49"),
    "FR": (7, "fr", "fr", ["SA", "SAS"], "+33"),
    "CA": (6, "en_us", "ca", ["Inc.", "Ltd."], "+1"),
    "NL": (5, "nl", "nl", ["B.V.", "N.V."], "+31"),
    "AU": (5, "en_gb", "com.au", ["Pty Ltd"], "+61"),
    "IN": (5, "in", "in", ["Pvt Ltd", "Ltd"], "+91"),
    "SE": (4, "nordic", "se", ["AB"], "+46"),
    "JP": (4, "ja", "co.jp", ["K.K.", "Co., Ltd."], "+81"),
    "ES": (4, "es", "es", ["S.L.", "S.A."], "+34"),
    "BR": (3, "pt_br", "com.br", ["Ltda.", "S.A."], "+55"),
    "IT": (3, "it", "it", ["S.p.A.", "S.r.l."], "+39"),
    "IE": (2, "en_gb", "ie", ["Ltd", "DAC"], "+353"),
    "CH": (2, "de", "ch", ["AG", "GmbH"], "+41"),
    "DK": (2, "nordic", "dk", ["A/S", "ApS"], "+45"),
    "SG": (2, "en_gb", "com.sg", ["Pte. Ltd."], "+65"),
    "MX": (2, "es", "com.mx", ["S.A. de C.V."], "+52"),
    "NO": (1, "nordic", "no", ["AS", "ASA"], "+47"),
    "FI": (1, "nordic", "fi", ["Oy", "Oyj"], "+358"),
}

COMPANY_ROOTS = _words("""Northwind Bluefin Ironbridge Silverline Redwood Brightpath Clearwater Summit Harbor Keystone
Pinnacle Evergreen Atlas Meridian Sterling Vanguard Horizon Cobalt Granite Lighthouse Falcon Orchid Quantum
Nimbus Crescent Everest Polaris Aurora Beacon Cascade Helix Juniper Lumen Mosaic Nova Oakridge Pioneer Radiant
Sapphire Trident Vertex Willow Zenith Amber Birch Cedar Ember Fjord Glacier Halcyon Indigo Kestrel Lynx Maple
Onyx Peregrine Riverstone Sequoia Tidewater Vista Wavecrest Alder Basalt Copperleaf Driftwood Elmstead""")

# industry (as seeded by the crm migration): weight, words that end a company name in it
INDUSTRY_WORDS: dict[str, tuple[int, list[str]]] = {
    "Software & Internet": (14, ["Software", "Labs", "Digital", "Cloud", "Systems"]),
    "Financial Services": (10, ["Capital", "Financial", "Partners", "Asset Management"]),
    "Banking": (6, ["Bank", "Bancorp", "Savings Bank"]),
    "Insurance": (6, ["Insurance", "Assurance", "Mutual"]),
    "Healthcare": (8, ["Health", "Medical", "Care Group", "Clinics"]),
    "Pharmaceuticals": (5, ["Pharma", "Therapeutics", "Biosciences"]),
    "Manufacturing": (10, ["Manufacturing", "Industries", "Precision", "Components"]),
    "Automotive": (4, ["Motors", "Automotive", "Mobility"]),
    "Retail": (7, ["Retail", "Stores", "Outfitters", "Market"]),
    "Consumer Goods": (5, ["Brands", "Foods", "Home Products"]),
    "Telecommunications": (4, ["Telecom", "Networks", "Communications"]),
    "Energy & Utilities": (4, ["Energy", "Power", "Utilities", "Renewables"]),
    "Government": (2, ["Transit Authority", "Public Services", "Water Board"]),
    "Education": (2, ["University", "College", "Academy"]),
    "Professional Services": (6, ["Consulting", "Advisory", "Group"]),
    "Media & Entertainment": (3, ["Media", "Studios", "Publishing"]),
    "Transportation & Logistics": (5, ["Logistics", "Freight", "Shipping", "Transport"]),
    "Real Estate": (3, ["Properties", "Realty", "Estates"]),
    "Hospitality": (2, ["Hotels", "Hospitality", "Resorts"]),
    "Agriculture": (1, ["Agri", "Farms", "Harvest"]),
    "Aerospace & Defense": (2, ["Aerospace", "Avionics", "Defense Systems"]),
    "Construction": (3, ["Construction", "Builders", "Engineering"]),
}
PUBLIC_SECTOR = {"Government", "Education"}

JOB_TITLES = [
    "Chief Executive Officer", "Chief Financial Officer", "Chief Revenue Officer", "Chief Technology Officer",
    "VP of Sales", "VP of Operations", "Head of IT", "IT Director", "Procurement Manager", "Finance Director",
    "Sales Operations Manager", "Head of Marketing", "Operations Director", "Data & Analytics Lead",
    "Revenue Operations Analyst", "Purchasing Lead",
]

PRODUCTS = [
    "Analytics Platform", "Sales Cloud licences", "Data Integration add-on", "Implementation services",
    "Premium Support", "Annual renewal", "Seat expansion", "Forecasting module", "Training package",
    "Enterprise upgrade",
]

# Closing months: relative volume (quarter ends are busiest, Q4 most of all).
MONTH_SEASONALITY = {1: 0.6, 2: 0.75, 3: 1.3, 4: 0.7, 5: 0.85, 6: 1.35, 7: 0.65, 8: 0.6, 9: 1.3, 10: 0.9,
                     11: 1.15, 12: 1.9}

# name, type, status, start (days from the anchor), length in days, budget
CAMPAIGNS: list[tuple[str, str, str, int, int, int]] = [
    ("Revenue Forecasting Masterclass", "webinar", "completed", -540, 1, 8_000),
    ("Spring Product Launch Email Series", "email", "completed", -470, 45, 12_000),
    ("SaaStr Europe Booth", "event", "completed", -420, 3, 65_000),
    ("Google Ads - Sales Analytics", "paid_search", "completed", -400, 120, 48_000),
    ("State of B2B Sales Report", "content", "completed", -330, 90, 15_000),
    ("LinkedIn ABM - Enterprise Finance", "social", "completed", -300, 60, 30_000),
    ("Customer Advisory Summit", "event", "completed", -240, 2, 90_000),
    ("Commission Automation Webinar", "webinar", "completed", -180, 1, 6_000),
    ("Mid-Market Nurture Track", "email", "active", -150, 240, 10_000),
    ("Google Ads - Pipeline Management", "paid_search", "active", -90, 180, 36_000),
    ("LinkedIn Thought Leadership", "social", "paused", -75, 120, 20_000),
    ("Sales Playbook eBook", "content", "active", -45, 120, 9_000),
    ("Partner Roadshow DACH", "event", "cancelled", 30, 3, 40_000),
    ("AI Assistant Launch Webinar", "webinar", "planned", 21, 1, 7_500),
    ("Year-End Renewal Push", "email", "planned", 35, 30, 5_000),
]
# Relative number of leads a campaign of each type brings in.
LEADS_PER_TYPE = {"webinar": 3, "email": 4, "event": 3, "paid_search": 6, "content": 5, "social": 3}

# The welcome every user finds first (a general notification; the event types are in the catalogue,
# nexus360.notifications.events.schemas, whose default templates the demo seeds).
WELCOME = ("Welcome to Nexus360", "Welcome to Nexus360, {first_name}! You are signed in as {role}. Start with the "
           "Home dashboard, and ask the assistant whenever you need help.")

# Event types each role hears about (besides its welcome message).
NOTIFICATION_TYPES = {
    ADMIN: ["deal_won", "deal_assigned", "knowledge_added"],
    SALES_MANAGER: ["deal_won", "deal_assigned", "statement_approved", "knowledge_added"],
    SALES_REP: ["deal_won", "deal_assigned", "statement_approved", "lead_handed", "knowledge_added"],
    MARKETER: ["knowledge_added"],
}

# name, type, active, config (secrets only as references: env:VARIABLE, never a value)
INTEGRATIONS: list[tuple[str, str, bool, dict]] = [
    ("Microsoft Graph directory sync", "msgraph", True, {
        "tenant_id": "3f2b8c1e-6a4d-4e0b-9c57-1d2e8f4a6b90",
        "client_id": "8d1f7a2c-4b6e-4f3a-a1c9-5e7d2b9f0c34",
        "client_secret": "env:NEXUS360_GRAPH_CLIENT_SECRET",
        "sync_interval_minutes": 0,
        "full_sync_hours": 24,
    }),
    ("Outlook mail", "smtp", True, {
        "host": "smtp.office365.com",
        "port": 587,
        "security": "starttls",
        "username": f"notifications@{EMAIL_DOMAIN}",
        "password": "env:NEXUS360_SMTP_PASSWORD",
        "from_address": f"Nexus360 <notifications@{EMAIL_DOMAIN}>",
    }),
    ("Deal webhook", "webhook", True, {
        "url": "https://hooks.example.com/nexus360/deals",
        "events": ["deal.won", "deal.lost"],
        "secret": "env:NEXUS360_WEBHOOK_SIGNING_SECRET",
        "allow_private": False,
    }),
]
# The error each integration type logs when a run fails.
INTEGRATION_ERRORS = {
    "msgraph": "Microsoft Graph returned 429 Too Many Requests (Retry-After: 30); sync will resume next run",
    "smtp": "SMTP authentication failed: 535 5.7.3 Authentication unsuccessful",
    "webhook": "POST https://hooks.example.com/nexus360/deals timed out after 10 s (attempt 3 of 3)",
}


# title, roles that ask it, [(question, answer), ...]
CHAT_SCRIPTS: list[tuple[str, list[str], list[tuple[str, str]]]] = [
    ("MEDDICC for a large deal", [SALES_REP, SALES_MANAGER], [
        ("What does MEDDICC stand for?",
         "Metrics, Economic buyer, Decision criteria, Decision process, Identify pain, Champion and "
         "Competition. We use it for every deal of $50,000 or more; smaller deals only need BANT."),
        ("Do I need to meet the economic buyer before sending a proposal?",
         "Yes. The deal stages article says the economic buyer should be met before Proposal, and a deal "
         "without an economic buyer and a champion should not be forecast above Best case."),
    ]),
    ("Discount approval", [SALES_REP, SALES_MANAGER], [
        ("Can I give a customer 15% off?",
         "Up to 10% is within your own authority. From 10% to 20% you need your sales manager's approval, "
         "before the proposal reaches the customer. Add the business reason to the request."),
        ("And 25%?",
         "Between 20% and 30% the VP of Sales approves. Try to trade it for something, such as a longer "
         "term or an earlier signature."),
    ]),
    ("How my commission is calculated", [SALES_REP, SALES_MANAGER], [
        ("How is my commission calculated?",
         "You earn 5% of every Closed Won deal you own, per quarter. Above the $250,000 quarterly quota the "
         "Enterprise accelerator pays 8% on the excess, and in Q4 won deals of $100,000 or more earn an extra 1%."),
        ("When is it paid?",
         "Statements are generated at the start of the next quarter, approved by your manager and paid with "
         "the following payroll run."),
        ("What happens if a customer cancels?",
         "A deal cancelled or refunded within 90 days is clawed back from your next statement."),
    ]),
    ("Stage definitions", [SALES_REP, SALES_MANAGER, ADMIN], [
        ("When should a deal move from Needs Analysis to Proposal?",
         "When the decision criteria and decision process are written down and confirmed by your champion. "
         "Proposal then means a priced proposal has been sent; it carries a 60% probability."),
    ]),
    ("Forecast categories", [SALES_MANAGER, ADMIN], [
        ("What is the difference between commit and best case?",
         "Commit holds the deals you are confident will close this quarter, typically in Negotiation. Best "
         "case adds the deals that could close if things go well, such as strong Proposal deals."),
        ("What pipeline coverage should we aim for?",
         "About three times the remaining target: open pipeline divided by what is still to be won."),
    ]),
    ("Lead hand-off rules", [MARKETER, SALES_REP], [
        ("How fast must sales follow up a qualified lead?",
         "First contact within one business day; the rep then converts the lead or sends it back with a "
         "reason within five business days. Untouched leads are escalated after five days."),
        ("When can a disqualified lead be nurtured again?",
         "After 90 days it may re-enter a nurture campaign."),
    ]),
    ("Campaign attribution", [MARKETER, ADMIN], [
        ("Which campaign gets credit for a lead?",
         "The one that first brought it in (first-touch attribution). Leads without a campaign came from the "
         "website, referrals or imports."),
        ("How do we measure a campaign?",
         "On qualified leads and the pipeline and revenue of the deals converted from them. Cost per "
         "qualified lead is the budget divided by qualified and converted leads."),
    ]),
    ("Reassigning a departed rep's deals", [SALES_MANAGER, ADMIN], [
        ("A rep left. What happens to their deals?",
         "Their manager reassigns the open deals within five business days. Closed deals stay in their "
         "name so commission and win-rate history remain correct."),
    ]),
    ("What the assistant can see", [ADMIN, MARKETER, SALES_REP, SALES_MANAGER], [
        ("Can you show me other reps' commissions?",
         "No. I only see what you are allowed to see: your own statements, and your team's if you manage one."),
        ("Where do your answers come from?",
         "From the knowledge base and from the Nexus360 data your permissions cover. Check figures on the "
         "dashboards before you share them."),
    ]),
]
