"""E-mails as people receive them (pure: no I/O): a notification or a digest as text and HTML parts.

The HTML part is built from escaped text and the template's escaped HTML fragment only, so nothing an
event carried can become markup; every link is an address of this app.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid, parseaddr
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape

from nexus360.notifications.delivery.schemas import DigestItem, Recipient
from nexus360.notifications.templates import engine as templates

DIGEST_MAX_ITEMS = 50


def notification_email(*, sender: str, to: Recipient, subject: str, text: str, html: Markup, link: str,
                       reason: str, base_url: str) -> EmailMessage:
    """One notification: its text, a button to the record, and why the person got it."""
    footer = templates.footer_text(reason, base_url)
    plain = f"{text}\n\nOpen it in Nexus360: {link}\n\n{footer}\n"
    page = templates.email_page(subject=subject, content=templates.paragraph(html), link=link, footer=footer)
    return _message(sender=sender, to=to, subject=subject, text=plain, html=page)


def digest_email(*, sender: str, to: Recipient, items: list[DigestItem], zone: ZoneInfo, base_url: str,
                 inbox_link: str) -> EmailMessage:
    """Everything unread in the window as one message, newest first, each with its time and link."""
    count = len(items)
    subject = f"Your Nexus360 digest: {count} unread notification{'s' if count != 1 else ''}"
    shown = items[:DIGEST_MAX_ITEMS]
    more = count - len(shown)
    lines, rows = [], []
    for item in shown:
        when = _local(item.created_at, zone)
        lines.append(f"- {item.title} ({when})\n  {item.message}" + (f"\n  {item.link}" if item.link else ""))
        title = (Markup('<a href="{}" style="color:#2563eb">{}</a>').format(item.link, item.title) if item.link
                 else escape(item.title))
        rows.append(Markup('<li style="margin:0 0 12px"><strong>{}</strong> <span style="color:#6b7280">{}</span>'
                           '<br>{}</li>').format(title, when, item.message))
    if more:
        lines.append(f"… and {more} more in your inbox.")
        rows.append(Markup("<li>… and {} more in your inbox.</li>").format(more))
    footer = templates.footer_text("you receive a daily digest of what you have not read", base_url)
    plain = "\n\n".join(lines) + f"\n\nYour inbox: {inbox_link}\n\n{footer}\n"
    page = templates.email_page(subject=subject, footer=footer, link=inbox_link, button="Open your inbox",
                                content=Markup('<ul style="padding-left:18px;line-height:1.45">{}</ul>').format(
                                    Markup("").join(rows)))
    return _message(sender=sender, to=to, subject=subject, text=plain, html=page)


def _local(moment: datetime, zone: ZoneInfo) -> str:
    local = moment.replace(tzinfo=UTC).astimezone(zone)
    return f"{local:%d %b, %H:%M} {local.tzname()}".lstrip("0")


def _message(*, sender: str, to: Recipient, subject: str, text: str, html: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = " ".join(subject.split())
    message["From"] = sender
    message["To"] = formataddr((to.name, to.email))
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=(parseaddr(sender)[1].partition("@")[2] or "nexus360.local"))
    message.set_content(text)
    message.add_alternative(str(html), subtype="html")
    return message
