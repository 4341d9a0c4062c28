"""Sagas as data: a definition (steps, their services, units and kinds), its schema and the
built-in sagas; `docs/sagas.md` is the contract."""

from sim.saga.builtin import BUILTIN, DEFAULT_SAGA, builtin
from sim.saga.definition import KINDS, Saga, Step
from sim.saga.files import load_saga_file
from sim.saga.rules import SagaError, check_saga

__all__ = [
    "BUILTIN",
    "DEFAULT_SAGA",
    "KINDS",
    "Saga",
    "SagaError",
    "Step",
    "builtin",
    "check_saga",
    "load_saga_file",
]
