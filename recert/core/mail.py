"""The one way Recert sends e-mail.

`send_message(kind, to_user, context)` renders one template set per kind from
templates/mail/ — `<kind>.subject.txt`, `<kind>.txt` and `<kind>.html`, extending
`mail/base.txt` and `mail/base.html` — and sends it as multipart/alternative (text and
HTML) through Django's e-mail framework (SMTP when EMAIL_HOST is set).

- Links are absolute, from settings.SITE_URL (`link()`, or `{% link %}` in templates).
- Optional messages (`optional=True`: the spring renewal notice, the 90-day reminder) are
  not sent to a professional who turned them off, and carry List-Unsubscribe with one-click
  unsubscribe (RFC 8058) to a signed URL.
- Every message sent is a History row of the professional (kind, to, subject); one not sent
  (no address, turned off, refused by the server) is noted there with the reason.
- Delivery: `now=True` sends here and raises MailNotSent if the server did not accept it
  (the nightly reminders: a reminder is recorded only once the server accepted it). Else the
  message is handed to the `send_email` task once the transaction commits (recert/tasks.py):
  in-process with the immediate backend, on a worker with RQ, tried again later when the
  server refuses it for now.
- `render_message(kind, professional)` renders a kind for a professional from the context
  builders that apps register with `@preview(kind)`: for a staff page's preview and tests.
"""

from __future__ import annotations

import logging
import re
import smtplib
import textwrap
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date

from django.conf import settings
from django.core import signing
from django.core.exceptions import ImproperlyConfigured, ObjectDoesNotExist
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from recert.core.models import Professional

log = logging.getLogger(__name__)

# RFC 5322 recommends lines of at most 78 characters; subjects stay within one such line.
SUBJECT_LIMIT = 78
LINE_LIMIT = 78
UNSUBSCRIBE_SALT = "recert.mail.optional-reminders"

SENT, QUEUED, SKIPPED, FAILED, RETRY = "sent", "queued", "skipped", "failed", "retry"

NO_ADDRESS = "no e-mail address"
NOT_VERIFIED = "e-mail address not verified"
TURNED_OFF = "optional reminders turned off"
ACCOUNT_CLOSED = "account closed"


class MailNotSent(Exception):
    """The mail server did not accept a message. `temporary`: it may accept it later (4xx,
    no connection, a timeout), so the message is tried again; else it was refused (5xx)."""

    def __init__(self, reason: str, *, temporary: bool):
        super().__init__(reason)
        self.reason = reason
        self.temporary = temporary


@dataclass(frozen=True)
class Message:
    """A rendered message, JSON-safe (a task carries it to a worker)."""

    kind: str
    to: str
    subject: str
    text: str
    html: str
    headers: dict[str, str] = field(default_factory=dict)
    professional_id: int | None = None
    optional: bool = False

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Message:
        return cls(**data)

    def email(self, connection=None) -> EmailMultiAlternatives:
        email = EmailMultiAlternatives(self.subject, self.text, None, [self.to],
                                       headers=self.headers, connection=connection)
        email.attach_alternative(self.html, "text/html")
        return email


# -- links -------------------------------------------------------------------------------

def site_url() -> str:
    url = getattr(settings, "SITE_URL", "")
    if not url:
        raise ImproperlyConfigured(
            "SITE_URL is not set; e-mail needs it for its links (e.g. https://recert.example.org).")
    return url.rstrip("/")


def absolute(path: str) -> str:
    return site_url() + path


def link(viewname: str, *args, **kwargs) -> str:
    """The absolute address of a page, for e-mail: link("renewals:invoice", number)."""
    return absolute(reverse(viewname, args=args or None, kwargs=kwargs or None))


def unsubscribe_token(user) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(str(user.pk))


def user_id_of_unsubscribe_token(token: str) -> int | None:
    """The user id a token was signed for, or None for anything else."""
    try:
        value = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return int(value) if value.isdigit() else None


def unsubscribe_url(user) -> str:
    return link("email_unsubscribe", token=unsubscribe_token(user))


# -- who receives ------------------------------------------------------------------------

def professional_of(user) -> Professional | None:
    try:
        return user.professional
    except (AttributeError, ObjectDoesNotExist):
        return None


# Which of a user's addresses may be written to is the accounts app's to decide (e-mail
# verification, issue 11 item 5): it registers its two functions when it is ready
# (recert.accounts.apps), so core never imports accounts. Until then nothing is verified.
_ADDRESSES: dict[str, Callable] = {"verified": lambda user: None, "current": lambda user: ""}


def register_addresses(*, verified: Callable[[object], str | None],
                       current: Callable[[object], str]) -> None:
    _ADDRESSES.update(verified=verified, current=current)


def address_of(user) -> str:
    """Where a user's e-mail goes: their address (the professional's contact address, else
    the account's) once it is verified; "" before (only its verification message goes
    there, sent with `to=`)."""
    return _ADDRESSES["verified"](user) or ""


# -- rendering ---------------------------------------------------------------------------

_BLANK_LINES = re.compile(r"\n{3,}")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def tidy_text(text: str) -> str:
    """The plain-text part: no trailing blanks, at most one empty line in a row, and lines
    wrapped at LINE_LIMIT (a list item's next lines indented under its text; an address
    is never broken, so only a line that is one long address may be longer)."""
    out = []
    for line in text.splitlines():
        line = line.rstrip()
        if len(line) <= LINE_LIMIT:
            out.append(line)
            continue
        indent = re.match(r"\s*(?:[-*] |\d+\. )?", line).group(0)
        out.extend(textwrap.wrap(line, LINE_LIMIT, subsequent_indent=" " * len(indent),
                                 break_long_words=False, break_on_hyphens=False))
    return _BLANK_LINES.sub("\n\n", "\n".join(out).strip("\n")) + "\n"


def render(kind: str, context: dict, *, to_user=None, optional: bool = False,
           to: str = "") -> Message:
    """Renders a kind's three templates with `context` (plus site_url, recipient,
    professional, settings_url and, on optional messages, unsubscribe_url)."""
    professional = professional_of(to_user) if to_user is not None else None
    ctx = {
        "site_url": site_url(),
        "recipient": to_user,
        "professional": professional,
        "recipient_name": (professional.full_name if professional else "")
        or (to_user.get_full_name() if to_user is not None else "")
        or (to_user.get_username() if to_user is not None else ""),
        "settings_url": link("settings") if professional is not None else "",
        "optional": optional,
        "unsubscribe_url": unsubscribe_url(to_user) if optional and to_user is not None else "",
        "kind": kind,
        **context,
    }
    subject = _one_line(render_to_string(f"mail/{kind}.subject.txt", ctx))
    text = tidy_text(render_to_string(f"mail/{kind}.txt", ctx))
    html = render_to_string(f"mail/{kind}.html", ctx)
    headers = {}
    if ctx["unsubscribe_url"]:
        headers["List-Unsubscribe"] = f"<{ctx['unsubscribe_url']}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return Message(kind=kind, to=to or (address_of(to_user) if to_user is not None else ""),
                   subject=subject, text=text, html=html, headers=headers,
                   professional_id=professional.pk if professional else None,
                   optional=optional)


# -- previews ----------------------------------------------------------------------------

# kind -> builder(professional, today) -> (context, optional) or None (nothing to show).
PreviewBuilder = Callable[[Professional, date], "tuple[dict, bool] | None"]
PREVIEWS: dict[str, PreviewBuilder] = {}


def preview(kind: str) -> Callable[[PreviewBuilder], PreviewBuilder]:
    """Registers how to build `kind`'s context for a professional (for render_message)."""

    def register(builder: PreviewBuilder) -> PreviewBuilder:
        PREVIEWS[kind] = builder
        return builder

    return register


def preview_kinds() -> list[str]:
    _load_previews()
    return sorted(PREVIEWS)


def render_message(kind: str, professional: Professional, *, today: date | None = None
                   ) -> Message | None:
    """`kind` as `professional` would receive it `today` (None when the kind has nothing to
    say to them, e.g. a receipt without a paid invoice). Sends nothing."""
    from django.utils import timezone

    _load_previews()
    if kind not in PREVIEWS:
        raise KeyError(f"{kind!r} is not a message kind; the kinds are {sorted(PREVIEWS)}")
    built = PREVIEWS[kind](professional, today or timezone.localdate())
    if built is None:
        return None
    context, optional = built
    return render(kind, context, to_user=professional.user, optional=optional)


def _load_previews() -> None:
    # The apps register their builders when their `emails` modules are imported.
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("emails")


# -- sending -----------------------------------------------------------------------------

def deliver(message: Message, *, connection=None) -> None:
    """Hands `message` to the mail server; returns once the server accepted it. Raises
    MailNotSent (temporary or not) otherwise."""
    try:
        message.email(connection).send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _ in error.recipients.values()]
        raise MailNotSent(f"recipient refused: {error.recipients}",
                          temporary=all(400 <= c < 500 for c in codes)) from error
    except smtplib.SMTPResponseException as error:
        raise MailNotSent(f"mail server answered {error.smtp_code} {error.smtp_error!r}",
                          temporary=400 <= error.smtp_code < 500) from error
    except (smtplib.SMTPException, OSError) as error:
        # No connection, a timeout, a dropped connection: the server may take it later.
        raise MailNotSent(f"{type(error).__name__}: {error}", temporary=True) from error


def _record_sent(message: Message, actor=None) -> None:
    from recert.core.actions.messages import do_record_email_sent

    professional = Professional.objects.filter(pk=message.professional_id).first()
    if professional is not None:
        do_record_email_sent(professional, kind=message.kind, to=message.to,
                             subject=message.subject, actor=actor)


def note_not_sent(message_or_professional, reason: str, *, kind: str = "", occasion: str = "",
                  actor=None) -> None:
    """Notes in the professional's history that a message did not go out, and why."""
    from recert.core.actions.messages import do_note_email_not_sent

    if isinstance(message_or_professional, Message):
        message = message_or_professional
        professional = Professional.objects.filter(pk=message.professional_id).first()
        kind, to = message.kind, message.to
    else:
        professional, to = message_or_professional, ""
    if professional is not None:
        do_note_email_not_sent(professional, kind=kind, reason=reason, to=to,
                               occasion=occasion, actor=actor)


def skip_reason(to_user, *, optional: bool = False, to: str = "") -> str:
    """Why a message to `to_user` would not be sent ("" when it would)."""
    if to_user is not None and not to_user.is_active:
        return ACCOUNT_CLOSED  # a closed account (recert.exports.actions.do_close_account)
    if not (to or (to_user is not None and address_of(to_user))):
        return NOT_VERIFIED if _ADDRESSES["current"](to_user) else NO_ADDRESS
    professional = professional_of(to_user)
    if optional and professional is not None and not professional.optional_reminders:
        return TURNED_OFF
    return ""


def send_message(kind: str, to_user, context: dict, *, optional: bool = False, actor=None,
                 now: bool = False, occasion: str = "", to: str = "") -> str:
    """Sends message `kind` to `to_user` (at `to` when given: an address being verified, or
    a sign-up before the account exists, with `to_user` None). Returns SENT, QUEUED or
    SKIPPED.

    Skipped (and noted in the professional's history, once per kind and `occasion`): no
    e-mail address; an optional message to a professional who turned them off.
    `now=True`: delivered here; MailNotSent if the server did not accept it (the caller
    keeps its record unsent). Else queued for after the transaction commits."""
    reason = skip_reason(to_user, optional=optional, to=to)
    if reason:
        professional = professional_of(to_user) if to_user is not None else None
        if professional is not None:
            note_not_sent(professional, reason, kind=kind, occasion=occasion, actor=actor)
        return SKIPPED
    message = render(kind, context, to_user=to_user, optional=optional,
                     to=to or address_of(to_user))
    if now:
        deliver(message)
        _record_sent(message, actor)
        return SENT
    from recert.tasks import enqueue_on_commit, send_email

    enqueue_on_commit(send_email, message.as_dict(), 1, getattr(actor, "pk", None))
    return QUEUED


def deliver_and_record(data: dict, *, last_attempt: bool, actor_id: int | None = None) -> str:
    """The `send_email` task's work: SENT (and recorded), RETRY (refused for now; the task
    tries again later) or FAILED (refused, or the last attempt; noted in history)."""
    from django.contrib.auth import get_user_model

    message = Message.from_dict(data)
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    try:
        deliver(message)
    except MailNotSent as error:
        if error.temporary and not last_attempt:
            log.warning("E-mail %s to %s not accepted for now (%s); will try again",
                        message.kind, message.to, error.reason)
            return RETRY
        log.error("E-mail %s to %s not sent: %s", message.kind, message.to, error.reason)
        note_not_sent(message, f"mail server refused it: {error.reason}", actor=actor)
        return FAILED
    _record_sent(message, actor)
    return SENT
