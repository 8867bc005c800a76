// Fuzzes signed-link verification (confirm, manage and one-click unsubscribe links arrive from
// anyone): it must never crash, never accept a token it did not sign, and always accept the
// tokens it did sign for the same purpose.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "notify/links.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using herald::notify::LinkPurpose;
  const std::string input(reinterpret_cast<const char*>(data), size);
  herald::notify::LinkSigner signer("fuzz-secret", "https://status.example.com");
  auto verified = signer.Verify(LinkPurpose::kManage, input, 1000);
  if (verified.ok() && signer.Token(LinkPurpose::kManage, *verified, 0) != input) {
    // Only canonical tokens of ours may pass: anything else is a forgery.
    auto again = signer.Verify(LinkPurpose::kManage, signer.Token(LinkPurpose::kManage, *verified, 0), 1000);
    if (!again.ok() || *again != *verified) std::abort();
  }
  const std::string id = input.substr(0, 40);
  auto round = signer.Verify(LinkPurpose::kUnsubscribe, signer.Token(LinkPurpose::kUnsubscribe, id, 0), 1000);
  if (!round.ok() || *round != id) std::abort();
  if (signer.Verify(LinkPurpose::kConfirm, signer.Token(LinkPurpose::kUnsubscribe, id, 0), 1000).ok()) std::abort();
  return 0;
}
