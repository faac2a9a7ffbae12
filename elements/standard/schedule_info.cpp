#include "schedule_info.hpp"

#include "entry_words.hpp"

#include <string>
#include <string_view>

namespace nb::elements {

namespace {

// A non-negative real number as Click's scheduling parameters are written: 1, .1, 2.5.
bool is_share(std::string_view w) {
  bool digits = false, dot = false;
  for (char c : w) {
    if (c >= '0' && c <= '9')
      digits = true;
    else if (c == '.' && !dot)
      dot = true;
    else
      return false;
  }
  return digits;
}

// ELEMENT PARAM.
bool validate_entry(std::string_view text, ParamError& error) {
  const EntryWords w = entry_words(text);
  if (w.count != 2) {
    error = {w.extra_at(), w.extra_length(), "expected ELEMENT PARAM, e.g. 'src 2'", {}};
    return false;
  }
  const std::string_view share = w.word(text, 1);
  if (!is_share(share)) {
    error = {w.begin[1],
             share.size(),
             "'" + std::string(share) + "' is not a scheduling parameter (a non-negative number such as 1 or .5)",
             {}};
    return false;
  }
  return true;
}

constexpr ParamSpec kParams[] = {
    {.name = "ENTRY",
     .type = ParamType::String,
     .kind = ParamKind::Rest,
     .required = false,
     .default_value = "",
     .doc = "ELEMENT PARAM: in Click, ELEMENT's task is scheduled PARAM times as often as one of parameter 1. "
            "Checked, not applied (see above).",
     .validate = validate_entry},
};

}  // namespace

NB_ELEMENT_INFO(ScheduleInfo);

constinit const ElementSpec ScheduleInfo::spec{
    .class_name = "ScheduleInfo",
    .ports = "0/0",
    .params = kParams,
    .brief = "Click's scheduling shares of tasks: accepted, not applied (nb does not weigh tasks)",
    .description =
        "Each argument `ELEMENT PARAM` gives, in Click, ELEMENT's task a share of the CPU: a task "
        "of parameter 2 runs four times as often as one of 0.5. nb's scheduler does not weigh "
        "tasks: each worker's loop polls every input and runs every task (a source that makes "
        "packets, a chain that pulls) once per pass, each as far as it has work, up to a burst "
        "(docs/queues.md). A rate is what decides how often something happens in nb "
        "(RatedSource, RatedUnqueue, BandwidthShaper...).\n"
        "\n"
        "ScheduleInfo is accepted so that Click's configurations run unchanged: its arguments "
        "are checked (ELEMENT a name, PARAM a non-negative number) and `nbc check` and nbrun "
        "warn at every ScheduleInfo that the shares are not applied. It has no ports and no "
        "handlers of its own; ELEMENT names are not looked up (as in Click, a name that is not "
        "an element is no error).",
    .example = "src :: InfiniteSource(LIMIT 10) -> Discard;\nScheduleInfo(src 2);\n",
    .ops = &kOps,
    .warning =
        "nb's scheduler does not weigh tasks: every worker runs each task once per pass of its loop, so "
        "these shares are not applied (docs/queues.md)",
};

NB_REGISTER_ELEMENT(ScheduleInfo::spec);

}  // namespace nb::elements
