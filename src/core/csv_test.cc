// The CSV reader and cell writer on their own (the subscriber import and export test them through
// SubscriptionService; fuzz/csv_fuzz.cc checks the round trip on arbitrary input).
#include "core/csv.h"

#include <gtest/gtest.h>

#include <sstream>

namespace herald::csv {
namespace {

struct Record {
  std::vector<std::string> fields;
  std::int64_t line;
  std::string error;
};

std::vector<Record> ReadAll(const std::string& text, Limits limits = {}) {
  std::istringstream in(text);
  Reader reader(in, limits);
  std::vector<Record> out;
  Record r;
  while (reader.Next(r.fields, r.line, r.error)) out.push_back(r);
  return out;
}

TEST(CsvReader, QuotedFieldsHoldCommasQuotesAndLineBreaks) {
  auto records = ReadAll("a,\"b,c\",\"say \"\"hi\"\"\"\r\n\"two\nlines\",x\nlast");
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].fields, (std::vector<std::string>{"a", "b,c", "say \"hi\""}));
  EXPECT_EQ(records[1].fields, (std::vector<std::string>{"two\nlines", "x"}));
  EXPECT_EQ(records[1].line, 2);
  EXPECT_EQ(records[2].fields, (std::vector<std::string>{"last"}));
  EXPECT_EQ(records[2].line, 4);  // the quoted line break counts
  for (const auto& r : records) EXPECT_EQ(r.error, "");
}

TEST(CsvReader, BadRecordsSayWhyAndTheNextOneStillReads) {
  Limits small;
  small.max_field_bytes = 4;
  small.max_columns = 2;
  auto records = ReadAll("\"ab\"c,d\nabcdef\na,b,c,d\n\"open\nok\n", small);
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[0].error, "text after a closing quote");
  EXPECT_EQ(records[1].error, "a field is longer than 4 bytes");
  EXPECT_EQ(records[2].error, "too many columns");
  EXPECT_EQ(records[3].error, "a quoted field is not closed");  // it runs to the end of the file
}

TEST(CsvCell, QuotesWhatNeedsItAndNeutralisesFormulas) {
  EXPECT_EQ(Cell("plain"), "plain");
  EXPECT_EQ(Cell("a,b"), "\"a,b\"");
  EXPECT_EQ(Cell("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(Cell("=1+1"), "'=1+1");
  EXPECT_EQ(Cell("'=1+1"), "''=1+1");  // so that import gives back the stored quote
  for (std::string v : {"=cmd|x!A0", "'=x", "'plain", "'", "", "-5", "a\tb", "@sum"}) {
    auto records = ReadAll(Cell(v) + "\n");
    ASSERT_EQ(records.size(), 1u) << v;
    EXPECT_EQ(WithoutFormulaQuote(records[0].fields[0]), v);
  }
}

}  // namespace
}  // namespace herald::csv
