#include "page/colors.h"

#include <gtest/gtest.h>

namespace herald::page {
namespace {

TEST(ColorsTest, ValidatesAndNormalisesHexColors) {
  EXPECT_EQ(ValidateHexColor("#FF0"), "#ffff00");
  EXPECT_EQ(ValidateHexColor("#4f46e5"), "#4f46e5");
  EXPECT_EQ(ValidateHexColor("4f46e5"), std::nullopt);
  EXPECT_EQ(ValidateHexColor("#4f46e"), std::nullopt);
  EXPECT_EQ(ValidateHexColor("#ggg"), std::nullopt);
}

TEST(ColorsTest, EnsureContrastChangesOnlyWhatIsTooFaint) {
  EXPECT_EQ(EnsureContrast("#1d4ed8", "#ffffff"), "#1d4ed8");  // already fine: unchanged
}

}  // namespace
}  // namespace herald::page
