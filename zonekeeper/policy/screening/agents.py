"""The contrast agent catalogue (rules/contrast.yaml ``agents``): spellings to agents.

A technologist types what is on the box or the order: a brand ("Dotarem®"), the
generic name ("gadoterate meglumine"), a short form ("gadoterate", "Gd-DOTA"),
in any case, with hyphens, spaces or trade-mark signs. Each spelling is reduced to
a key (lower case, letters and digits only) and looked up; an unknown name gets
the closest known spelling as a "did you mean", never a guess.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from ..errors import PolicyIssue, suggest
from ..schema import ContrastFile

TRADEMARK_SIGNS = str.maketrans("", "", "®™©℠")


def agent_key(name: str) -> str:
    """'Gd-DOTA', 'gd dota', 'GdDOTA™' -> 'gddota': the lookup key of a spelling."""
    # trade-mark signs go first: NFKC would turn "™" into the letters "TM"
    plain = name.translate(TRADEMARK_SIGNS)
    folded = unicodedata.normalize("NFKC", plain).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


@dataclass(frozen=True, slots=True)
class ContrastAgent:
    id: str
    generic: str  # the canonical name, stored on the record
    brands: tuple[str, ...]
    aliases: tuple[str, ...]
    group: str
    source: str

    @property
    def spellings(self) -> tuple[str, ...]:
        return (self.generic, *self.brands, *self.aliases)

    def describe(self, spelling: str | None = None) -> str:
        """'Dotarem (gadoterate meglumine, group II)'; the generic alone when named so."""
        if spelling is None or agent_key(spelling) == agent_key(self.generic):
            return f"{self.generic} (group {self.group})"
        return f"{spelling} ({self.generic}, group {self.group})"


def resolve_agent(index: Mapping[str, ContrastAgent], name: str) -> ContrastAgent | None:
    key = agent_key(name)
    return index.get(key) if key else None


def suggest_agent(agents: tuple[ContrastAgent, ...], name: str) -> str | None:
    """The closest catalogue spelling to an unknown ``name``, described, or None."""
    key = agent_key(name)
    if not key:
        return None
    by_key: dict[str, tuple[str, ContrastAgent]] = {}
    for agent in agents:
        for spelling in agent.spellings:
            by_key.setdefault(agent_key(spelling), (spelling, agent))
    close = difflib.get_close_matches(key, list(by_key), n=1, cutoff=0.6)
    if not close:
        return None
    spelling, agent = by_key[close[0]]
    return agent.describe(spelling)


def unknown_agent_text(agents: tuple[ContrastAgent, ...], name: str) -> str:
    """What the form, the API and the decision say about a name not in the catalogue."""
    hint = suggest_agent(agents, name)
    text = f"'{name}' is not in the site's contrast agent catalogue (rules/contrast.yaml)"
    return f"{text}: did you mean {hint}?" if hint else f"{text}: check the spelling on the box."


def compile_agent_catalogue(
    contrast: ContrastFile, file_name: str, group_ids: list[str], issues: list[PolicyIssue]
) -> tuple[tuple[ContrastAgent, ...], dict[str, ContrastAgent]]:
    """The agents, and every spelling's key -> its agent; a spelling used twice is refused."""
    agents: list[ContrastAgent] = []
    index: dict[str, ContrastAgent] = {}
    where_spelt: dict[str, str] = {}
    ids: set[str] = set()
    for a_index, spec in enumerate(contrast.agents):
        where = f"agents[{a_index}]"
        if spec.id in ids:
            issues.append(PolicyIssue(file_name, f"{where}.id", f"duplicate agent id '{spec.id}'"))
        ids.add(spec.id)
        if spec.group not in group_ids:
            issues.append(
                PolicyIssue(
                    file_name,
                    f"{where}.group",
                    f"unknown group '{spec.group}' (groups: {', '.join(group_ids)})",
                    suggest(spec.group, group_ids),
                )
            )
        agent = ContrastAgent(
            spec.id,
            " ".join(spec.generic.split()),
            tuple(spec.brands),
            tuple(spec.aliases),
            spec.group,
            spec.source,
        )
        fields = [("generic", [spec.generic]), ("brands", spec.brands), ("aliases", spec.aliases)]
        for key_name, names in fields:
            for n_index, name in enumerate(names):
                path = f"{where}.{key_name}" + ("" if key_name == "generic" else f"[{n_index}]")
                key = agent_key(name)
                if not key:
                    issues.append(
                        PolicyIssue(file_name, path, "a spelling needs letters or digits")
                    )
                    continue
                other = index.get(key)
                if other is not None and other.id != agent.id:
                    issues.append(
                        PolicyIssue(
                            file_name,
                            path,
                            f"'{name}' already names agent '{other.id}' ({other.generic}) "
                            f"at {where_spelt[key]}: a spelling may name one agent only",
                        )
                    )
                    continue
                index.setdefault(key, agent)
                where_spelt.setdefault(key, path)
        agents.append(agent)
    return tuple(agents), index
