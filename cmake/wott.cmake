# Helpers so every module's CMakeLists.txt stays a short list of files.

# wott_library(NAME SOURCES ... DEPS ...): a static library `wott_NAME` rooted at src/.
function(wott_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(wott_${name} STATIC ${ARG_SOURCES})
  target_include_directories(wott_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(wott_${name} PUBLIC ${ARG_DEPS})
endfunction()

# wott_test(NAME SOURCES ... DEPS ...): a GoogleTest binary registered with ctest.
function(wott_test name)
  if(NOT WOTT_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest_main GTest::gmock)
  # Tests find binaries and fixtures through $WOTT_BUILD_DIR. (Not a compile definition:
  # an absolute path there would defeat ccache across clones in different folders.)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60
    PROPERTIES ENVIRONMENT "WOTT_BUILD_DIR=${PROJECT_BINARY_DIR}")
endfunction()
