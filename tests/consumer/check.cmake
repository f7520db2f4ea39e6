# Installs the project from BUILD_DIR into a scratch prefix, then configures, builds and runs the
# consumer project, and one example built on its own, against it. Run by CTest as `cmake -P`.

# run(<what failed> <command...>): runs the command and stops with a message if it fails.
function(run what)
    execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
    if(rc)
        message(FATAL_ERROR "${what} failed: ${rc}")
    endif()
endfunction()

# The dependencies where the project's build found them.
set(dependency_options)
foreach(name Torch xtensor xtl xsimd)
    if(${name}_DIR)
        list(APPEND dependency_options -D${name}_DIR=${${name}_DIR})
    endif()
endforeach()

file(REMOVE_RECURSE ${WORK_DIR})
run("install" ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${WORK_DIR}/prefix)

run("configuring the consumer" ${CMAKE_COMMAND} -S ${CONSUMER_DIR} -B ${WORK_DIR}/build
    -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix -DCMAKE_BUILD_TYPE=Release ${dependency_options})
run("building the consumer" ${CMAKE_COMMAND} --build ${WORK_DIR}/build)
run("the consumer" ${WORK_DIR}/build/consumer)

# The examples build alone too (one of them, to keep it short).
set(python_option)
if(PYTHON)
    set(python_option -DPython3_EXECUTABLE=${PYTHON})
endif()
run("configuring the examples alone" ${CMAKE_COMMAND} -S ${SOURCE_DIR}/examples -B ${WORK_DIR}/examples
    -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix -DCMAKE_BUILD_TYPE=Release ${python_option} ${dependency_options})
run("building an example alone" ${CMAKE_COMMAND} --build ${WORK_DIR}/examples --target example_03_copy_vs_share)
run("the example built alone" ${WORK_DIR}/examples/example_03_copy_vs_share)

# The Python module too, through the installed component `python` and <xtensor-torch/pybind11.hpp>.
if(PYTHON)
    run("building the Python module alone" ${CMAKE_COMMAND} --build ${WORK_DIR}/examples --target xtorch_examples)
    run("importing the Python module built alone" ${CMAKE_COMMAND} -E env PYTHONPATH=${WORK_DIR}/examples/python
        ${PYTHON} ${CONSUMER_DIR}/check_module.py)
endif()
