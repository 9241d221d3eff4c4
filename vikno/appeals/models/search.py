"""The vocabulary of the search: every word stored in the appeals' search keys, once (ADR 26).

A typed word no dictionary knows (most often a typo) is looked up here by trigram similarity
first; the few stored words found become ordinary alternatives of the full-text query, so the
appeals' own GIN index answers, instead of a similarity test of every appeal's whole key."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# Longer "words" (a pasted link, a serial number) are never typed with a typo worth finding.
WORD_MAX_LENGTH = 64
WORD_MIN_LENGTH = 4  # vikno.core.fulltext: shorter words are not looked up by similarity


class SearchWord(models.Model):
    """One word of the search keys. Only ever added to (a word of a deleted text stays: it can
    only offer an alternative that finds nothing)."""

    word = models.CharField(_("word"), max_length=WORD_MAX_LENGTH, unique=True)

    class Meta:
        verbose_name = _("search word")
        verbose_name_plural = _("search words")

    def __str__(self) -> str:
        return self.word
