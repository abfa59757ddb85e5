"""Stateful property test: random sequences of real registry calls never reach an illegal state.

Hypothesis drives the service functions (sample moves, case moves, blocks, unblocks,
withdrawal) against a SQLite registry and keeps an independent model of what the DESIGN §2
state machines allow. After every step the stored states must equal the model, a refused
call must change nothing, and the audit chain must verify.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from genopath.core.errors import ConsentError, GenopathError, InputError, StateTransitionError
from genopath.core.settings import Settings
from genopath.registry import (
    Actor,
    CaseCategory,
    CaseState,
    ConsentForm,
    SampleState,
    SampleType,
    SignerRole,
    audit,
    cases,
    centres,
    consent,
    init_database,
    participants,
    samples,
    vault,
)
from genopath.registry.terms import Sex
from tests.expected_states import EXPECTED_CASE, EXPECTED_SAMPLE

SS, CS = SampleState, CaseState
BARCODES = ("BC-0001", "BC-0002")


class RegistryMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.home = Path(tempfile.mkdtemp())
        self.registry = init_database(Settings(home=self.home))
        self.actor = Actor.system("hypothesis")
        with self.registry.transaction() as s:
            centres.add_centre(s, self.actor, "HKCH", "Hong Kong Children's Hospital")
            p = participants.new_participant(s, self.actor, centre="HKCH", sex=Sex.FEMALE)
            vault.store_identity(
                s, self.actor, self.registry.cipher, p, vault.Identity(date_of_birth=date(1990, 1, 1))
            )
            consent.record_consent(
                s,
                self.actor,
                self.registry.cipher,
                p.programme_id,
                ConsentForm("CF-1", date(2026, 1, 5), SignerRole.SELF),
            )
            for barcode in BARCODES:
                samples.register_sample(s, self.actor, p.programme_id, barcode, SampleType.BLOOD)
            cases.open_case(
                s, self.actor, p.programme_id, category=CaseCategory.RARE_DISEASE, indication="test"
            )
        self.sample_model = dict.fromkeys(BARCODES, SS.EXPECTED)
        self.case_model, self.resume = CS.REGISTERED, None
        self.withdrawn = False

    def teardown(self) -> None:
        self.registry.dispose()
        shutil.rmtree(self.home, ignore_errors=True)

    def _attempt(self, call, expected_ok: bool, refusal: type[GenopathError]) -> None:
        try:
            with self.registry.transaction() as s:
                call(s)
        except refusal:
            assert not expected_ok, "a legal call was refused"
            return
        assert expected_ok, "an illegal call was accepted"

    @rule(barcode=st.sampled_from(BARCODES), to=st.sampled_from(list(SampleState)), reason=st.booleans())
    def move_sample(self, barcode: str, to: SampleState, reason: bool) -> None:
        current = self.sample_model[barcode]
        legal = to in EXPECTED_SAMPLE[current]
        needs_reason = to in (SS.REJECTED, SS.DESTROYED, SS.QC_FAILED)
        forward = to not in (SS.REJECTED, SS.DESTROYED)
        ok = legal and (reason or not needs_reason) and not (forward and self.withdrawn)
        self._attempt(
            lambda s: samples.move_sample(s, self.actor, barcode, to, reason="r" if reason else None),
            ok,
            (StateTransitionError, InputError, ConsentError),
        )
        if ok:
            self.sample_model[barcode] = to

    @rule(to=st.sampled_from([s for s in CaseState if s is not CS.BLOCKED]))
    def move_case(self, to: CaseState) -> None:
        ok = to in EXPECTED_CASE[self.case_model]
        self._attempt(
            lambda s: cases.move_case(s, self.actor, "C000001", to),
            ok,
            (StateTransitionError, ConsentError),
        )
        if ok:
            self.case_model = to

    @rule()
    def block_case(self) -> None:
        ok = self.case_model is not CS.BLOCKED
        self._attempt(
            lambda s: cases.block_case(s, self.actor, "C000001", reason="query"), ok, StateTransitionError
        )
        if ok:
            self.case_model, self.resume = CS.BLOCKED, self.case_model

    @rule()
    def unblock_case(self) -> None:
        ok = self.case_model is CS.BLOCKED and not self.withdrawn
        self._attempt(
            lambda s: cases.unblock_case(s, self.actor, "C000001"), ok, (StateTransitionError, ConsentError)
        )
        if ok:
            self.case_model, self.resume = self.resume, None

    @rule()
    def withdraw(self) -> None:
        ok = not self.withdrawn
        self._attempt(
            lambda s: participants.withdraw(s, self.actor, "P000001", reason="r"), ok, StateTransitionError
        )
        if ok:
            self.withdrawn = True
            if self.case_model is not CS.BLOCKED:
                self.case_model, self.resume = CS.BLOCKED, self.case_model

    @invariant()
    def stored_states_match_the_model(self) -> None:
        with self.registry.transaction() as s:
            for barcode in BARCODES:
                sample = samples.get_sample(s, self.actor, barcode)
                assert sample.state is self.sample_model[barcode]
                # Withdrawal flags every sample not yet destroyed; destroying one clears its flag.
                assert sample.flagged_for_destruction == (self.withdrawn and sample.state is not SS.DESTROYED)
            case = cases.get_case(s, self.actor, "C000001")
            assert case.state is self.case_model
            assert (case.resume_state is not None) == (case.state is CS.BLOCKED)
            history = [e.to_state for e in case.events]
            assert history[-1] is case.state
            audit.verify(s)


RegistryMachine.TestCase.settings = settings(
    max_examples=25, stateful_step_count=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
TestRegistryStateMachines = RegistryMachine.TestCase
