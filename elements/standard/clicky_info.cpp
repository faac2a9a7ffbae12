#include "clicky_info.hpp"

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {.name = "INFO",
     .type = ParamType::String,
     .kind = ParamKind::Rest,
     .required = false,
     .default_value = "",
     .doc = "Anything, as Clicky reads it (`STYLE` followed by CSS-like style rules, `@import FILE`): not read "
            "by nb."},
};

}  // namespace

NB_ELEMENT_INFO(ClickyInfo);

constinit const ElementSpec ClickyInfo::spec{
    .class_name = "ClickyInfo",
    .ports = "0/0",
    .params = kParams,
    .brief = "styles for Click's GUI, Clicky: accepted, no effect on forwarding",
    .description =
        "Click's drivers ignore ClickyInfo; its GUI, Clicky, reads the arguments (`STYLE` and "
        "style rules, `@import FILE`) as display styles. nb accepts any arguments and ignores "
        "them as Click's drivers do: a configuration that styles Clicky runs unchanged, and "
        "forwards exactly as without it. The arguments stay in the element's `config` handler and "
        "in `nbc flatten`'s output, so that the configuration keeps its styles. No ports, no "
        "handlers of its own.",
    .example =
        "src :: InfiniteSource(LIMIT 10) -> c :: Counter -> Discard;\n"
        "ClickyInfo(STYLE #c { decorations: activity });\n",
    .ops = &kOps,
};

NB_REGISTER_ELEMENT(ClickyInfo::spec);

}  // namespace nb::elements
