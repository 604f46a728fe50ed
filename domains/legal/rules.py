"""The synthetic generator's rule base (written for this repository; NOT LEGAL ADVICE).

Each rule is a textbook general common-law principle, simplified and stated in the prompt where
a problem asks to apply it; real jurisdictions differ (statutes, exceptions, defences). Element
rules list their elements with a fact that satisfies each and one that does not (the distractors
of a multiple-choice question fail exactly one element); period rules are date arithmetic on a
limitation or possession period stated in the fact pattern.

``split`` puts a whole rule family in train or test (split by rule family).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Element:
    name: str
    met: str  # a fact satisfying the element ({p}, {d}, {w} placeholders)
    unmet: str  # a fact where it fails
    why_met: str
    why_unmet: str


@dataclass(frozen=True)
class ElementRule:
    id: str
    area: str
    source: str  # the principle it simplifies, named as a general common-law principle
    rule: str  # stated in rule / classify prompts
    question: str  # a yes/no question: yes when every element is satisfied
    issue: str
    elements: tuple
    split: str = "train"


@dataclass(frozen=True)
class PeriodRule:
    id: str
    area: str
    source: str
    split: str = "train"


ELEMENT_RULES = (
    ElementRule(
        "contract_formation", "Contracts", "offer, acceptance and consideration (common-law contract formation)",
        "A contract is formed when there is an offer, an acceptance that mirrors the offer, and consideration "
        "(something of value given or promised in exchange).",
        "Was a binding contract formed between {d} and {p}?", "whether {d} and {p} formed a binding contract",
        (Element("offer", "{d} wrote to {p} offering to sell a used van for $4,000.",
                 "{d} put up a general advertisement listing a used van at $4,000.",
                 "a definite proposal made to {p} is an offer", "a general advertisement is an invitation to deal, not an offer"),
         Element("acceptance", "{p} replied: 'I accept your offer on those terms.'",
                 "{p} replied: 'I accept if you lower the price to $3,500.'",
                 "{p} accepted on the same terms", "a reply that changes the terms is a counter-offer, not an acceptance"),
         Element("consideration", "{p} promised to pay the price on delivery.",
                 "{p} promised nothing in return, and {d} called it a gift.",
                 "the promise to pay is consideration", "a promise of a gift has no consideration"))),
    ElementRule(
        "negligence", "Torts", "duty, breach, causation and damage (the tort of negligence)",
        "Negligence requires a duty of care owed to the claimant, a breach of that duty, harm caused by the breach, "
        "and actual damage.",
        "Is {d} liable to {p} in negligence?", "whether {d} is liable to {p} in negligence",
        (Element("duty", "{p} was a customer shopping in {d}'s store.",
                 "{p} had broken into {d}'s closed store at night.",
                 "a shop owes its customers a duty of care", "no duty of reasonable care is owed to an unknown trespasser"),
         Element("breach", "{d} knew a spill had been on the floor for two hours and did nothing.",
                 "The spill happened seconds earlier, before {d} could have seen it.",
                 "leaving a known hazard for hours breaches that duty", "{d} acted reasonably: there was no time to act"),
         Element("causation", "{p} slipped on the spill and fell.",
                 "{p} tripped over an untied shoelace on a dry part of the floor.",
                 "the spill caused the fall", "the fall was not caused by the spill"),
         Element("damage", "{p} broke a wrist in the fall.", "{p} got up unhurt and suffered no loss.",
                 "a broken wrist is actual damage", "there was no actual damage"))),
    ElementRule(
        "battery", "Torts", "intent and harmful or offensive contact (the tort of battery)",
        "Battery is an intentional act that causes a harmful or offensive contact with another person.",
        "Is {d} liable to {p} for battery?", "whether {d} committed a battery against {p}",
        (Element("intent", "{d} deliberately swung a heavy bag at {p}.", "{d} slipped on ice and fell against {p}.",
                 "{d} acted deliberately", "an accidental fall is not an intentional act"),
         Element("contact", "The bag struck {p}'s arm.", "The bag missed {p} entirely.",
                 "the bag touched {p}", "there was no contact"),
         Element("harmful_or_offensive", "The blow left a deep bruise on {p}'s arm.",
                 "It was the light brush of a bag in a crowded train that no one would mind.",
                 "a bruising blow is harmful", "an ordinary light brush in a crowd is neither harmful nor offensive"))),
    ElementRule(
        "hearsay", "Evidence", "the hearsay rule (an out-of-court statement offered for its truth)",
        "Hearsay is a statement, made other than while testifying at the current trial, that is offered to prove "
        "the truth of what it asserts.",
        "Is {w}'s testimony hearsay?", "whether {w}'s testimony about {d} is hearsay",
        (Element("statement", "{w} testified that {d} had said, 'I was at the bank at noon.'",
                 "{w} testified that {d} ran off when the police arrived, without saying anything.",
                 "{d}'s words are an assertion", "running off, with nothing said, is conduct and not a statement"),
         Element("out_of_court", "{d} said it to {w} at a party a year before the trial.",
                 "{d} had said it while testifying earlier at this same trial.",
                 "it was said outside this trial", "it was said while testifying at this trial"),
         Element("for_truth", "The testimony is offered to prove where {d} was at noon.",
                 "The testimony is offered only to show that {d} could speak at all after the accident.",
                 "it is offered for what it asserts", "it is offered for something other than its truth"))),
    ElementRule(
        "defamation", "Torts", "falsity, publication and identification (the tort of defamation)",
        "Defamation requires a false statement of fact about the claimant, communicated to at least one other "
        "person, that identifies the claimant.",
        "Is {d} liable to {p} for defamation?", "whether {d} defamed {p}",
        (Element("falsity", "{d} said that {p} had stolen money from the club, which was untrue.",
                 "{d} said that {p} had been convicted of theft, which was true.",
                 "the statement was false", "a true statement is not defamatory"),
         Element("publication", "{d} said it at a club meeting in front of twenty members.",
                 "{d} said it only to {p}, with no one else present.",
                 "it was heard by others", "a statement made only to the claimant is not published"),
         Element("identification", "{d} named {p} directly.", "{d} said 'someone in this town' without saying who.",
                 "{p} was named", "no listener could tell it was about {p}")),
        split="test"),
    ElementRule(
        "burglary", "Criminal law", "breaking, entering, a dwelling of another, at night, with intent (common-law burglary)",
        "Common-law burglary is the breaking and entering of the dwelling of another at night with the intent to "
        "commit a felony inside.",
        "Is {d} guilty of common-law burglary?", "whether {d} committed common-law burglary",
        (Element("breaking", "{d} forced open a closed window of {p}'s house.",
                 "{d} walked in through a door {p} had left wide open.",
                 "forcing a closed window is a breaking", "walking through a wide-open door is no breaking"),
         Element("entering", "{d} climbed in through the window.",
                 "{d} was arrested outside before any part of the body was inside.",
                 "{d} went inside", "{d} never entered"),
         Element("dwelling", "{p} lives in the house.", "The building was an empty office that {p} owns.",
                 "a house {p} lives in is a dwelling", "an empty office is not a dwelling"),
         Element("night", "It happened at 2 a.m.", "It happened at noon.",
                 "2 a.m. is night", "noon is not night"),
         Element("intent", "{d} meant to steal {p}'s jewellery.", "{d} only wanted shelter from the rain.",
                 "{d} intended a theft", "seeking shelter is no intent to commit a felony")),
        split="test"),
)

PERIOD_RULES = (
    PeriodRule("limitation_period", "Civil procedure", "limitation periods for bringing a claim"),
    PeriodRule("adverse_possession", "Property", "adverse possession (open, continuous, hostile, exclusive possession "
               "for the statutory period)", split="test"),
)

FAMILIES = tuple(r.id for r in ELEMENT_RULES) + tuple(r.id for r in PERIOD_RULES)
BY_ID = {r.id: r for r in ELEMENT_RULES + PERIOD_RULES}
AREAS = {r.id: r.area for r in ELEMENT_RULES + PERIOD_RULES}


def add_years(day: dt.date, years: int) -> dt.date:
    """The same calendar date ``years`` later; 29 February becomes 28 February in a common year
    (the convention the prompts state)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def full_years(start: dt.date, end: dt.date) -> int:
    """Whole years from ``start`` to ``end`` (anniversaries passed), by :func:`add_years`."""
    n = end.year - start.year
    while n > 0 and add_years(start, n) > end:
        n -= 1
    return max(n, 0)
