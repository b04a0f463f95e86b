# Helpers shared by the build-time embed scripts (src/store/migrations/embed.cmake,
# src/server/web_embed.cmake), which turn files into C++ raw-string literals.

# Fails the build when `content` (read from `file`) contains the raw-string delimiter
# `)<delimiter>"`, which would end the literal early.
function(wott_embed_check_delimiter file content delimiter)
  string(FIND "${content}" ")${delimiter}\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${file} contains the raw-string delimiter )${delimiter}\"")
  endif()
endfunction()

# Writes `text` to `out` only when it differs, so dependents do not rebuild needlessly.
function(wott_embed_write_if_changed out text)
  if(EXISTS "${out}")
    file(READ "${out}" old)
    if(old STREQUAL text)
      return()
    endif()
  endif()
  file(WRITE "${out}" "${text}")
endfunction()
