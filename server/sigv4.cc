#include "server/sigv4.h"

#include <array>

namespace eddy::server {

std::optional<std::string> RegionFromAuthorization(std::string_view header) {
  constexpr std::string_view kCredential = "Credential=";
  const std::size_t at = header.find(kCredential);
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view scope = header.substr(at + kCredential.size());
  scope = scope.substr(0, scope.find_first_of(", "));
  // AKID / date / region / service / aws4_request. Access key ids contain no
  // '/', so splitting from the left is safe.
  std::array<std::string_view, 5> parts;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const std::size_t slash = scope.find('/');
    if ((slash == std::string_view::npos) != (i == parts.size() - 1)) return std::nullopt;
    parts[i] = scope.substr(0, slash);
    scope = slash == std::string_view::npos ? std::string_view() : scope.substr(slash + 1);
  }
  const std::string_view region = parts[2];
  if (region.empty() || parts[4] != "aws4_request") return std::nullopt;
  for (char c : region) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) return std::nullopt;
  }
  return std::string(region);
}

}  // namespace eddy::server
