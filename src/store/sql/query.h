// Query helpers for SqlStore: run one statement and turn its rows into model values, so that a
// method that reads a list is one call instead of a transaction body that queries, checks,
// decodes each row and unwraps the result.
//
// A row mapper is a function of (const Row&) or (const Row&, Decoder&) returning the value; with
// a Decoder, the first unknown enum name it meets fails the whole read (kInternal), as
// decoder.h describes.
//
// Thread safety: the functions hold no state; a Connection is used by one thread at a time.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/result.h"
#include "store/sql/connection.h"
#include "store/sql/decoder.h"

namespace herald::store::sql {

template <typename FromRow>
auto MapRow(FromRow& from_row, const Row& row, Decoder& d) {
  if constexpr (std::is_invocable_v<FromRow&, const Row&, Decoder&>) {
    return from_row(row, d);
  } else {
    return from_row(row);
  }
}

// The value type a row mapper returns.
template <typename FromRow>
using RowValue =
    std::decay_t<decltype(MapRow(std::declval<FromRow&>(), std::declval<const Row&>(), std::declval<Decoder&>()))>;

// The rows of one query, mapped: every row, or the first `max_rows`.
template <typename FromRow>
Result<std::vector<RowValue<FromRow>>> QueryAll(Connection& conn, std::string_view sql, const Params& params,
                                                FromRow from_row, size_t max_rows = SIZE_MAX) {
  auto rows = conn.Query(sql, params);
  if (!rows.ok()) return rows.error();
  const size_t n = std::min(rows->size(), max_rows);
  std::vector<RowValue<FromRow>> out;
  out.reserve(n);
  Decoder d;
  for (size_t i = 0; i < n; ++i) out.push_back(MapRow(from_row, (*rows)[i], d));
  if (auto st = d.status(); !st.ok()) return st.error();
  return out;
}

// The first row of one query, mapped; nullopt when there is none.
template <typename FromRow>
Result<std::optional<RowValue<FromRow>>> QueryFirst(Connection& conn, std::string_view sql, const Params& params,
                                                    FromRow from_row) {
  auto first = QueryAll(conn, sql, params, std::move(from_row), 1);
  if (!first.ok()) return first.error();
  if (first->empty()) return std::optional<RowValue<FromRow>>();
  return std::optional<RowValue<FromRow>>(std::move(first->front()));
}

// The outcome of a statement whose count of changed rows does not matter.
inline Status Executed(const Result<std::int64_t>& changed) {
  if (!changed.ok()) return changed.error();
  return {};
}

// kNotFound ("<what> not found") when the statement changed no row.
inline Status ExpectChanged(const Result<std::int64_t>& changed, std::string what) {
  if (!changed.ok()) return changed.error();
  if (*changed == 0) return Error::NotFound(std::move(what) + " not found");
  return {};
}

}  // namespace herald::store::sql
