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
     .doc = "ELEMENT PARAM: ELEMENT's task runs PARAM times as often as a task of parameter 1 (a compound: "
            "every task inside it). PARAM is a non-negative number, held within Click's limits 1/1024 and 32.",
     .validate = validate_entry},
};

}  // namespace

NB_ELEMENT_INFO(ScheduleInfo);

constinit const ElementSpec ScheduleInfo::spec{
    .class_name = "ScheduleInfo",
    .ports = "0/0",
    .params = kParams,
    .brief = "Click's scheduling shares: how often each task runs, relative to the others",
    .description =
        "Each argument `ELEMENT PARAM` gives ELEMENT's task a share of its worker's time, as "
        "Click's ScheduleInfo gives tickets: a task of parameter 2 runs four times as often as "
        "one of 0.5. Tasks are what pull (Unqueue, RatedUnqueue, a ToDevice or Discard after a "
        "queue, a scheduler's puller) and what makes packets (InfiniteSource, RatedSource...). "
        "Each pass of a worker's loop polls every input port once and gives every task its "
        "share: a task of share 1 runs once (up to a burst), one of 2 twice, one of 0.5 every "
        "other pass (docs/queues.md). Each pass uses the runs a task earned, with work or without, "
        "so an idle task saves up no runs.\n"
        "\n"
        "ELEMENT is looked up as Click does: in the compound the ScheduleInfo is in. A compound's "
        "name weighs every task inside it, and the shares of nested levels multiply (a "
        "ScheduleInfo inside a compound divides the compound's share among its tasks). The "
        "result is held within Click's limits, 1/1024 and 32. A name that matches no task is a "
        "warning, not an error, as in Click: an input or output port (every worker polls each "
        "once per pass), a push element (it runs when its packets reach it), or no element at "
        "all. Giving the same name two shares is an error. It has no ports and no handlers of "
        "its own. With several workers, each weighs the tasks it runs the same way.",
    .example = "src :: InfiniteSource(LIMIT 10) -> Discard;\nScheduleInfo(src 2);\n",
    .ops = &kOps,
};

NB_REGISTER_ELEMENT(ScheduleInfo::spec);

}  // namespace nb::elements
