"""read_labeled_csv's options that ``ngo-text topics train`` uses (one reader for the library and the CLI)."""
from __future__ import annotations

import pytest

from ngo_text.errors import InputError
from ngo_text.topics import read_labeled_csv


def test_cli_options(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("title;text;topics\nKlima;Mehr Schutz;'Umwelt; Klima'\n;Ohne Titel;Sport\n;;Kultur\n"
                 "Nur Titel;x;\n", encoding="utf-8")
    texts, labels = read_labeled_csv(p, delimiter=";", quotechar="'", title_column="title",
                                     skip_incomplete=True)
    assert texts == ["Klima\n\nMehr Schutz", "Ohne Titel"]  # rows without text or label left out
    assert labels == [["Umwelt", "Klima"], ["Sport"]]
    with pytest.raises(InputError, match="line 4"):  # strict by default
        read_labeled_csv(p, delimiter=";", quotechar="'")
    p.write_text("text,labels\nEin Text,a\n", encoding="utf-8")
    assert read_labeled_csv(p) == (["Ein Text"], ["a"])  # 'labels' found without label_column
    with pytest.raises(InputError, match="two labelled rows"):
        read_labeled_csv(p, skip_incomplete=True)
    with pytest.raises(InputError, match="no column 'body'"):
        read_labeled_csv(p, text_column="body")
