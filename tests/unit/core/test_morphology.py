from qa_service.core.morphology import lemma, lemma_phrase, lemmatize


def test_every_token_gets_a_lowercase_lemma_even_where_spacy_would_not():
    # spaCy's blank-ru lemmatizer returns «Здравствуйте» and «чем» unchanged (no tagger).
    lem = lemmatize("Здравствуйте! Чем могу помочь?")
    assert lem.lemmas == ("здравствуйте", "!", "чем", "мочь", "помочь", "?")
    assert all(x == x.lower() for x in lem.lemmas)


def test_inflected_forms_share_a_lemma_and_yo_is_folded():
    assert lemma("Северного") == lemma("северный") == "северный"
    assert lemma("Ветра") == "ветер"
    assert lemma("полёта") == lemma("полета") == "полет"
    assert lemma_phrase("доброй ночи") == lemma_phrase("Доброй Ночи!") == ("добрый", "ночь")


def test_offsets_quote_the_original_text():
    text = "Благодарю за звонок в «Северный Ветер»"
    lem = lemmatize(text)
    first = lem.tokens.index("Северный")
    assert lem.quote(first, first + 1) == "Северный Ветер"
    assert lem.span(0, 0) == (0, len("Благодарю"))


def test_placeholders_and_numbers_survive_tokenization():
    lem = lemmatize("Вот номер: [карта], код 123")
    assert "карта" in lem.lemmas and "123" in lem.lemmas
    assert lemma_phrase("—!") == ()
