"""Irregular plurals: how many a question reaches in the other number, and which ordinary words
could reach another word (issue #12; docs/tutor-experiments.md, "Session 18, `plurals`").

    python bench/plurals.py

For each (plural, singular) pair, whether a question with one finds a lesson that has only the
other (`LessonIndex.match`: its own term, else a `nouns.noun_forms` form of the lesson's term);
for each ordinary word, the noun forms it has whose term differs from its own: what it could
stand for in a lesson that lacks its own term.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tutor.retrieval.lexicon import term, words
from tutor.retrieval.nouns import noun_forms

#: Plural/singular, every kind of issue #12: Latin -us/-i, -um/-a, Greek -on/-a, -is/-es,
#: -ix/-ices, vowel change, -en/-ren, -f/-ves, -a/-ae and others.
PAIRS = [
    tuple(pair.split("/"))
    for pair in words(
        """
        cacti/cactus fungi/fungus nuclei/nucleus radii/radius stimuli/stimulus foci/focus
        loci/locus alumni/alumnus syllabi/syllabus termini/terminus bacilli/bacillus octopi/octopus
        hippopotami/hippopotamus criteria/criterion phenomena/phenomenon mitochondria/mitochondrion
        ganglia/ganglion taxa/taxon automata/automaton protozoa/protozoon bacteria/bacterium
        strata/stratum curricula/curriculum spectra/spectrum quanta/quantum maxima/maximum
        minima/minimum optima/optimum memoranda/memorandum symposia/symposium ova/ovum media/medium
        hypotheses/hypothesis analyses/analysis crises/crisis theses/thesis diagnoses/diagnosis
        oases/oasis parentheses/parenthesis syntheses/synthesis emphases/emphasis axes/axis
        bases/basis ellipses/ellipsis neuroses/neurosis indices/index matrices/matrix
        appendices/appendix vertices/vertex apices/apex cortices/cortex mice/mouse lice/louse
        teeth/tooth feet/foot geese/goose men/man women/woman dice/die children/child oxen/ox
        brethren/brother leaves/leaf knives/knife wolves/wolf lives/life halves/half shelves/shelf
        calves/calf thieves/thief loaves/loaf hooves/hoof scarves/scarf wives/wife elves/elf
        selves/self algae/alga larvae/larva antennae/antenna vertebrae/vertebra formulae/formula
        nebulae/nebula amoebae/amoeba genera/genus corpora/corpus firemen/fireman
        policemen/policeman people/person pence/penny
        """
    )
]

#: Regular plurals, verbs in every form, adjectives, adverbs, words ending in -s, singulars.
ORDINARY = words(
    """
    tides tide cats dogs houses boxes wishes churches buses gases lenses classes glasses kisses
    bushes foxes quizzes heroes potatoes tomatoes echoes pianos photos radios zoos studies
    cities ladies babies flies keys days boys toys valleys monkeys stories parties countries
    berries roofs chiefs cliffs chefs beliefs proofs safes giraffes cells genes proteins
    enzymes atoms molecules electrons planets stars galaxies rocks minerals crystals volcanoes
    waves clouds storms rivers lakes oceans seas islands mountains plants flowers trees roots
    seeds fruits insects birds fish sheep deer species series means news physics mathematics
    economics politics ethics genetics statistics linguistics athletics measles diabetes bus
    gas lens glass class mass grass bass moss loss boss kiss miss dress press process success
    canvas atlas iris virus bonus census status focus campus chorus genus corpus this was is
    has his its us thus yes plus minus always perhaps whereas runs walks jumps grows eats makes
    takes gives lives leaves goes does says sees falls rises melts freezes boils cools heats
    dries cries tries fries applies carries marries hurries ran walked jumped grew ate made
    took gave lived left went did said saw fell rose found bound wound ground lay lain born
    bore worn wore torn tore sworn shot fought thought taught running walking jumping growing
    eating making taking giving living leaving going doing big bigger biggest small smaller
    smallest good better best bad worse worst happy happier happiest early earlier earliest hot
    hotter cold colder dry drier careful carefully quick quickly slow slowly easy easily simple
    simply nervous famous various serious obvious previous enormous dangerous poisonous
    analysis hypothesis basis crisis thesis axis oasis data agenda trivia criteria engine
    engines motor motors wheel wheels lever levers gear gears pulley pulleys acid acids base
    salts salt sugar sugars starch fats fat oils oil knife wolf leaf life half shelf calf thief
    wife self mouse tooth foot goose man woman child ox die cactus fungus nucleus radius
    stimulus criterion phenomenon bacterium stratum spectrum index matrix appendix vertex apex
    cortex alga larva antenna formula teaching learning reading writing meaning feeling
    building setting dies lies ties pies skies media opera arms goods clothes savings earnings
    surroundings remains thanks odds chess scissors trousers jeans pants bias pancreas chaos
    cosmos pathos ethos lettuce police cattle tennis alumina
    """
)


def reaches(asked: str, lesson_word: str) -> bool:
    target = term(lesson_word)
    return term(asked) == target or any(term(form) == target for form in noun_forms(asked))


def main() -> int:
    both = [p for p in PAIRS if reaches(*p) and reaches(p[1], p[0])]
    missed = [p for p in PAIRS if p not in both]
    print(f"irregular pairs reached both ways: {len(both)}/{len(PAIRS)}")
    print("  not both ways:", " ".join("/".join(p) for p in missed))
    other = {w: [f for f in noun_forms(w) if term(f) != term(w)] for w in ORDINARY}
    other = {w: forms for w, forms in other.items() if forms}
    print(f"ordinary words with a noun form of another term: {len(other)}/{len(ORDINARY)}")
    print("  " + " ".join(f"{w}:{'/'.join(forms)}" for w, forms in other.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
