"""A responder's commands over the WebSocket: the same service calls as the HTTP routes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import msgspec

from backend.errors import ApiError
from backend.incidents.models import FieldNote
from backend.incidents.service import IncidentService
from backend.realtime.hub import Client
from backend.realtime.protocol import Ack, AssignmentCommand, Error
from backend.security.context import Caller
from backend.security.policy import Permission


def command_handler(
    service: IncidentService,
) -> Callable[[Client, AssignmentCommand], Awaitable[None]]:
    """The hub's ``on_client_command``: apply, then ``ack`` or ``error`` (the socket stays open)."""

    async def handle(client: Client, command: AssignmentCommand) -> None:
        msg_id = command.client_msg_id
        if not client.principal.can(Permission.ASSIGNMENT_RESPOND):
            client.send(
                Error(
                    code="forbidden",
                    message="your role cannot answer assignments",
                    client_msg_id=msg_id,
                )
            )
            return
        caller = Caller(principal=client.principal)
        aid = command.assignment_id
        try:
            match command.action:
                case "accept":
                    await service.accept(caller, aid, msg_id)
                case "decline":
                    await service.decline(caller, aid, command.reason, msg_id)
                case "tick":
                    if command.item is None:
                        raise ApiError("a tick names its item", field="item")
                    await service.tick(caller, aid, command.item, msg_id)
                case "note":
                    note = _field_note(command.text)
                    await service.responder_note(caller, aid, note.text, msg_id)
                case _:
                    await service.change_status(caller, aid, command.action, msg_id)
        except ApiError as exc:
            client.send(
                Error(code=exc.code, message=exc.message, client_msg_id=msg_id, field=exc.field)
            )
            return
        client.send(
            Ack(client_msg_id=command.client_msg_id, assignment_id=aid, action=command.action)
        )

    return handle


def _field_note(text: str | None) -> FieldNote:
    """The note's text checked as the HTTP route checks it."""
    try:
        return msgspec.convert({"text": text}, FieldNote)
    except msgspec.ValidationError as exc:
        raise ApiError(f"a note needs text: {exc}", field="text") from None
