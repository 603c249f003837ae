import pytest

from evaluation.report.formatting import format_count, group_digits, in_words


@pytest.mark.parametrize(
    ("value", "indian", "international"),
    [
        (0, "0", "0"),
        (999, "999", "999"),
        (1000, "1,000", "1,000"),
        (100000, "1,00,000", "100,000"),
        (4560000, "45,60,000", "4,560,000"),
        (31000000, "3,10,00,000", "31,000,000"),
        (-12345, "-12,345", "-12,345"),
    ],
)
def test_digit_grouping(value, indian, international):
    assert group_digits(value) == indian
    assert group_digits(value, style="international") == international


def test_words_for_the_published_figures():
    assert in_words(740000) == "7.4 lakh"
    assert in_words(17400000) == "1.74 crore"
    assert in_words(3260000) == "32.6 lakh"
    assert in_words(17400000, style="international") == "17.4 million"


def test_counts_below_a_lakh_keep_digits():
    assert format_count(37000) == "37,000"
    assert format_count(420000) == "4.2 lakh"


def test_decimals_are_kept():
    assert group_digits(1234567.891, decimals=1) == "12,34,567.9"


def test_hindi_counts_and_dates():
    import datetime as dt

    from evaluation.report.formatting import format_count_hi, format_date_hi

    assert format_count_hi(740000) == "7.4 लाख"
    assert format_count_hi(17400000) == "1.74 करोड़"
    assert format_count_hi(23800) == "23,800"
    assert format_date_hi(dt.date(2024, 10, 24)) == "24 अक्टूबर 2024"


def test_table_cells_show_no_negative_zero_and_small_p_values_as_a_bound():
    from evaluation.report.edition import _format_cell

    assert _format_cell(-0.004, "decimal", "indian") == "0.00"
    assert _format_cell(-0.006, "decimal", "indian") == "-0.01"
    assert _format_cell(0.8049, "decimal", "indian") == "0.80"
    assert _format_cell(1e-9, "p_value", "indian") == "< 0.001"
    assert _format_cell(0.4514, "p_value", "indian") == "0.451"


def test_small_standard_errors_keep_two_significant_figures():
    from evaluation.report.edition import _format_cell

    # a national estimate's error of 0.0007 printed as "0.00" (03_impact at scale 1)
    assert _format_cell(0.000708776, "std_error", "indian") == "0.00071"
    assert _format_cell(0.0049, "std_error", "indian") == "0.0049"
    assert _format_cell(0.018, "std_error", "indian") == "0.02"
    assert _format_cell(1.25, "std_error", "indian") == "1.25"
    assert _format_cell(0.0, "std_error", "indian") == "0.00"
    assert _format_cell(0.0000123, "std_error", "indian") == "0.000012"  # never 1.2e-05
