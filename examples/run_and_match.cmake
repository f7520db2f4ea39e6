# Runs PROGRAM (with ARGS) and requires exit status 0 and, in its output, a match for every
# `// expect: <regex>` line of SOURCE. Run by CTest as `cmake -P`.
execute_process(COMMAND ${PROGRAM} ${ARGS} OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
message("${out}")
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${PROGRAM} exited with ${rc}\n${err}")
endif()
file(STRINGS ${SOURCE} expectations REGEX "^// expect: ")
foreach(line IN LISTS expectations)
    string(REPLACE "// expect: " "" regex "${line}")
    if(NOT out MATCHES "${regex}")
        message(FATAL_ERROR "output of ${PROGRAM} has no match for: ${regex}")
    endif()
endforeach()
