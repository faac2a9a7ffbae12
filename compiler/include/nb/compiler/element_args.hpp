// nb::Args over one element's checked parameters: what lower() hands to each configure(), and
// what the element tests configure elements with (tests/support/element_harness.hpp), so an
// element is configured the same way in both.
#pragma once

#include <nb/compiler/graph.hpp>
#include <nb/element.hpp>

#include <initializer_list>
#include <string>

namespace nb::compiler {

// Reading a name the element's schema lacks, or reading one through the getter of another type,
// is a bug in the element: it is recorded (misuse()) and reported as an error, never read as 0
// or false.
class ElementArgs final : public Args {
 public:
  explicit ElementArgs(const Element& el) : el_(el) {}

  bool given(std::string_view name) const override;
  std::uint64_t get_unsigned(std::string_view name) const override;
  std::int64_t get_integer(std::string_view name) const override;
  bool get_bool(std::string_view name) const override;
  std::string get_string(std::string_view name) const override;
  std::uint32_t get_ipv4(std::string_view name) const override;
  std::array<std::uint8_t, 6> get_ether(std::string_view name) const override;
  std::size_t count(std::string_view name) const override;
  std::string get_string_at(std::string_view name, std::size_t index) const override;
  std::uint32_t noutputs() const override { return el_.noutputs; }
  std::uint32_t ninputs() const override { return el_.ninputs; }
  // The first misuse, as an error message; empty when every read matched the schema.
  const std::string& misuse() const { return misuse_; }

 private:
  // Whether the schema has `name` with one of `types` (any type when empty); records the misuse if not.
  bool known(std::string_view name, const char* getter, std::initializer_list<ParamType> types) const;
  const ParamValue* checked(std::string_view name, const char* getter, std::initializer_list<ParamType> types) const;

  const Element& el_;
  mutable std::string misuse_;
};

}  // namespace nb::compiler
