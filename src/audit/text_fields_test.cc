#include "audit/text_fields.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace wott::audit {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(TextFieldsTest, TrimSpaceRemovesAsciiWhitespaceAtBothEnds) {
  EXPECT_EQ(TrimSpace(" \t\r\n a b \v\f"), "a b");
  EXPECT_EQ(TrimSpace("ab"), "ab");
  EXPECT_EQ(TrimSpace(" \t "), "");
  EXPECT_EQ(TrimSpace(""), "");
}

TEST(TextFieldsTest, FieldsSplitsOnRunsOfWhitespace) {
  EXPECT_THAT(Fields("  -A INPUT\t-j  DROP \n"), ElementsAre("-A", "INPUT", "-j", "DROP"));
  EXPECT_THAT(Fields("one"), ElementsAre("one"));
  EXPECT_THAT(Fields(" \t "), IsEmpty());
  EXPECT_THAT(Fields(""), IsEmpty());
}

}  // namespace
}  // namespace wott::audit
