"""Per event class, the function that renders it: a notice's text, buttons or e-mail.

A function is registered together with the event class it takes, so the type checker holds
its field accesses against that class (`event.review_due` on a `ThresholdReached`) and a
function written for another class is refused at registration.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar, cast

from bot.domain.events import Event
from bot.i18n import Translator

E = TypeVar("E", bound=Event)
R = TypeVar("R")


class EventRegistry(Generic[R]):
    """Event class → `(translator, event) -> R`, where R is what an area renders (a text,
    a keyboard, an e-mail's subject and body)."""

    def __init__(self) -> None:
        self._entries: dict[type[Event], Callable[[Translator, Any], R]] = {}

    def add(self, cls: type[E], render: Callable[[Translator, E], R]) -> None:
        self._entries[cls] = render

    def of(self, cls: type[E]) -> Callable[[Callable[[Translator, E], R]],
                                            Callable[[Translator, E], R]]:
        """A decorator that registers the function it decorates for `cls`."""
        def register(render: Callable[[Translator, E], R]) -> Callable[[Translator, E], R]:
            self.add(cls, render)
            return render
        return register

    def include(self, other: EventRegistry[R]) -> None:
        """Every entry of another area's registry."""
        self._entries.update(other._entries)

    def __getitem__(self, cls: type[E]) -> Callable[[Translator, E], R]:
        return cast(Callable[[Translator, E], R], self._entries[cls])

    def __contains__(self, cls: object) -> bool:
        return cls in self._entries

    def __iter__(self) -> Iterator[type[Event]]:
        return iter(self._entries)

    def render(self, t: Translator, event: Event) -> R:
        """The event rendered by its class's function; KeyError when it has none."""
        render = self._entries.get(type(event))
        if render is None:
            raise KeyError(f"no entry for event {type(event).__name__}")
        return render(t, event)
