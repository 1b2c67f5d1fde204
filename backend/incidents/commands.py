"""A responder's commands over the WebSocket: the same service calls as the HTTP routes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from backend.errors import ApiError
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
        if not client.principal.can(Permission.ASSIGNMENT_RESPOND):
            client.send(Error(code="forbidden", message="your role cannot answer assignments"))
            return
        caller = Caller(principal=client.principal)
        aid = command.assignment_id
        try:
            match command.action:
                case "accept":
                    await service.accept(caller, aid)
                case "decline":
                    await service.decline(caller, aid, command.reason)
                case "tick":
                    if command.item is None:
                        raise ApiError("a tick names its item", field="item")
                    await service.tick(caller, aid, command.item)
                case _:
                    await service.change_status(caller, aid, command.action)
        except ApiError as exc:
            client.send(Error(code=exc.code, message=exc.message))
            return
        client.send(
            Ack(client_msg_id=command.client_msg_id, assignment_id=aid, action=command.action)
        )

    return handle
