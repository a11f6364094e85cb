"""click's own words (`Usage:`, `Options`, `Show this message and exit.` …), translated in our catalogue.

click looks its messages up with the standard library's `gettext.gettext`, in the global text
domain; `i18n.activate` points that domain at our catalogue, so `--help` and click's usage errors
speak the chosen language too. The list below is what tests/test_i18n.py holds the catalogue to.
"""
from . import N_

CLICK_MESSAGES = (
    N_("Usage:"), N_("Options"), N_("Commands"), N_("Show this message and exit."), N_("Show the version and exit."),
    N_("Error: {message}"), N_("Missing argument"), N_("Missing option"), N_("Missing command."),
    N_("No such command {name!r}."), N_("No such option {name!r}."), N_("Try '{command} {option}' for help."),
    N_("Invalid value for {param_hint}: {message}"), N_("Invalid value: {message}"), N_("default: {default}"),
    N_("Aborted!"), N_("%(prog)s, version %(version)s"), N_("Missing parameter: {param_name}"),
    N_("Could not open file {filename!r}: {message}"),
)
