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

PREFERENCES_PATH = "/notifications?notifications_tab=Preferences"
DIGEST_MAX_ITEMS = 50
_PAGE = Markup(
    '<!doctype html><html><body style="margin:0;padding:24px;background:#f5f6f8;'
    'font-family:Segoe UI,Helvetica,Arial,sans-serif;color:#1f2430">'
    '<div style="max-width:560px;margin:0 auto;background:#ffffff;border-radius:8px;padding:24px">'
    '<h2 style="margin:0 0 16px;font-size:18px">{heading}</h2>{content}'
    '<p style="margin:24px 0 0;font-size:12px;color:#6b7280">{footer}</p></div></body></html>')
_BUTTON = Markup('<p style="margin:20px 0 0"><a href="{href}" style="background:#2563eb;color:#ffffff;'
                 'padding:10px 16px;border-radius:6px;text-decoration:none">{label}</a></p>')


def notification_email(*, sender: str, to: Recipient, subject: str, text: str, html: Markup, link: str,
                       reason: str, base_url: str) -> EmailMessage:
    """One notification: its text, a button to the record, and why the person got it."""
    footer = _footer(reason, base_url)
    plain = f"{text}\n\nOpen it in Nexus360: {link}\n\n{footer}\n"
    page = _PAGE.format(heading=subject, footer=footer,
                        content=Markup('<p style="margin:0;line-height:1.5">{}</p>').format(html)
                        + _BUTTON.format(href=link, label="Open in Nexus360"))
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
    footer = _footer("you receive a daily digest of what you have not read", base_url)
    plain = "\n\n".join(lines) + f"\n\nYour inbox: {inbox_link}\n\n{footer}\n"
    page = _PAGE.format(heading=subject, footer=footer,
                        content=Markup('<ul style="padding-left:18px;line-height:1.45">{}</ul>').format(
                            Markup("").join(rows)) + _BUTTON.format(href=inbox_link, label="Open your inbox"))
    return _message(sender=sender, to=to, subject=subject, text=plain, html=page)


def _footer(reason: str, base_url: str) -> str:
    return (f"You get this because {reason}. Choose what you receive: "
            f"{base_url.rstrip('/')}{PREFERENCES_PATH}")


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
