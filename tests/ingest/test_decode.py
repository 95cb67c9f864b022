from searcher.ingest.decode import BINARY_SNIFF_BYTES, clean_controls, decode_bytes

ARABIC = "أعلنت وزارة الصحة افتتاح مركز جديد في مدينة حلب"


def test_utf8_passes_through():
    assert decode_bytes(ARABIC.encode("utf-8")).text == ARABIC


def test_utf8_bom_is_dropped():
    decoded = decode_bytes(b"\xef\xbb\xbf" + ARABIC.encode("utf-8"))
    assert decoded.text == ARABIC
    assert decoded.warning is None


def test_utf16_little_and_big_endian_with_bom():
    assert decode_bytes(b"\xff\xfe" + ARABIC.encode("utf-16-le")).text == ARABIC
    assert decode_bytes(b"\xfe\xff" + ARABIC.encode("utf-16-be")).text == ARABIC


def test_utf16_with_bom_is_not_binary_despite_nul_bytes():
    english_heavy = "BBC عربي News " * 10
    assert decode_bytes(english_heavy.encode("utf-16")).text == english_heavy


def test_truncated_utf16_is_refused():
    decoded = decode_bytes(b"\xff\xfe" + ARABIC.encode("utf-16-le")[:-1])
    assert decoded.text is None
    assert decoded.error.startswith("not UTF-16 text")


def test_windows_1256_arabic_is_decoded_with_a_warning():
    decoded = decode_bytes(ARABIC.encode("cp1256"))
    assert decoded.text == ARABIC
    assert decoded.warning == "decoded as Windows-1256"
    assert decoded.error is None


def test_latin_text_in_a_legacy_encoding_is_refused_with_the_offset():
    decoded = decode_bytes("Café de Paris".encode("latin-1"))
    assert decoded.text is None
    assert decoded.error == "not UTF-8 text (invalid byte at offset 3)"


def test_damaged_utf8_arabic_is_refused_not_read_as_windows_1256():
    damaged = ARABIC.encode("utf-8") + b"\xff" + ARABIC.encode("utf-8")
    decoded = decode_bytes(damaged)
    assert decoded.text is None
    assert decoded.error == f"not UTF-8 text (invalid byte at offset {len(ARABIC.encode('utf-8'))})"


def test_offset_counts_the_bom():
    decoded = decode_bytes(b"\xef\xbb\xbfab\xffcd")
    assert decoded.error == "not UTF-8 text (invalid byte at offset 5)"


def test_nul_in_the_first_8_kib_means_binary():
    decoded = decode_bytes(ARABIC.encode("utf-8") + b"\x00\x01\x02")
    assert decoded.text is None
    assert decoded.error == "binary file"


def test_nul_after_the_first_8_kib_is_only_cleaned():
    data = b"a" * BINARY_SNIFF_BYTES + b"\x00" + ARABIC.encode("utf-8")
    assert decode_bytes(data).text.endswith(" " + ARABIC)


def test_line_decoding_does_not_sniff_for_binary_and_can_skip_cleaning():
    assert decode_bytes(b"\x00x", detect_binary=False).text == " x"
    assert decode_bytes(b"\x00x", detect_binary=False, clean=False).text == "\x00x"


def test_control_characters_become_spaces_but_tabs_and_newlines_stay():
    assert clean_controls("عنوان\x0bالخبر\x07\x7f\tنص\r\nسطر") == "عنوان الخبر  \tنص\r\nسطر"
