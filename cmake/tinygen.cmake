# tinygen_add_impulse(): an impulse.json turned into a library target at build time.
#
#   add_subdirectory(path/to/tinygen tinygen)      # or include(path/to/tinygen/cmake/tinygen.cmake)
#   tinygen_add_impulse(kws ${CMAKE_CURRENT_SOURCE_DIR}/kws.json [TARGET_BOARD nano33ble]
#                       [OUTPUT dir] [ARGS --ram 256K ...])
#   target_link_libraries(firmware PRIVATE kws)    # then #include "NAME.h" (NAME: the JSON's)
#
# At build time `tinygen generate-library impulse.json -o OUTPUT` writes the impulse's folder
# (default ${CMAKE_CURRENT_BINARY_DIR}/tinygen/TARGET), which is then built as its own CMake
# project with this project's compiler, toolchain file, flags and build type; TARGET is an
# imported static library of the result, its include directory holding the impulse's public
# header. The folder is generated again, and the library rebuilt, when the JSON, the model
# it names, an option above or tinygen's own sources change; editing the JSON also
# re-runs CMake, so a new model path is followed.
#
# The tinygen command is `${TINYGEN_PYTHON} -m tinygen` (cache variable; default: the
# repository's .venv Python if there is one, else the Python 3 interpreter CMake finds),
# run with the repository on PYTHONPATH.

cmake_minimum_required(VERSION 3.20) # string(JSON), generator expressions in OUTPUT

get_filename_component(tinygen_root "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
set(TINYGEN_ROOT "${tinygen_root}" CACHE INTERNAL "the tinygen repository")

if(NOT DEFINED CACHE{TINYGEN_PYTHON})
    if(EXISTS "${TINYGEN_ROOT}/.venv/bin/python")
        set(tinygen_python_default "${TINYGEN_ROOT}/.venv/bin/python")
    elseif(EXISTS "${TINYGEN_ROOT}/.venv/Scripts/python.exe")
        set(tinygen_python_default "${TINYGEN_ROOT}/.venv/Scripts/python.exe")
    else()
        find_package(Python3 3.11 COMPONENTS Interpreter)
        set(tinygen_python_default "${Python3_EXECUTABLE}")
    endif()
    set(TINYGEN_PYTHON "${tinygen_python_default}" CACHE FILEPATH
        "the Python that runs tinygen (python -m tinygen)")
endif()

# The files whose change makes every impulse be generated again: tinygen itself.
function(_tinygen_own_sources out)
    file(GLOB_RECURSE files CONFIGURE_DEPENDS
        "${TINYGEN_ROOT}/tinygen/*.py"
        "${TINYGEN_ROOT}/templates/*"
        "${TINYGEN_ROOT}/runtime_c/include/*.h"
        "${TINYGEN_ROOT}/runtime_c/kernels/*.c"
        "${TINYGEN_ROOT}/runtime_c/dsp/*.c")
    set(${out} "${files}" PARENT_SCOPE)
endfunction()

# The model file an impulse.json names (relative to the JSON's folder), or an error.
function(_tinygen_impulse_model json out)
    file(READ "${json}" text)
    string(JSON model ERROR_VARIABLE error GET "${text}" model)
    if(error)
        message(FATAL_ERROR "tinygen_add_impulse: ${json} names no model (\"model\": ...): "
                "${error}")
    endif()
    get_filename_component(folder "${json}" DIRECTORY)
    get_filename_component(model "${model}" ABSOLUTE BASE_DIR "${folder}")
    if(NOT EXISTS "${model}")
        message(FATAL_ERROR "tinygen_add_impulse: ${json}: the model ${model} does not exist")
    endif()
    set(${out} "${model}" PARENT_SCOPE)
endfunction()

function(tinygen_add_impulse target json)
    cmake_parse_arguments(PARSE_ARGV 2 arg "" "TARGET_BOARD;OUTPUT" "ARGS")
    if(arg_UNPARSED_ARGUMENTS)
        message(FATAL_ERROR "tinygen_add_impulse(${target}): unknown arguments "
                "${arg_UNPARSED_ARGUMENTS} (TARGET_BOARD board, OUTPUT dir, ARGS ...)")
    endif()
    if(TARGET ${target})
        message(FATAL_ERROR "tinygen_add_impulse: a target ${target} exists already")
    endif()
    if(NOT TINYGEN_PYTHON)
        message(FATAL_ERROR "tinygen_add_impulse: no Python for tinygen; set TINYGEN_PYTHON")
    endif()
    get_filename_component(json "${json}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    if(NOT EXISTS "${json}")
        message(FATAL_ERROR "tinygen_add_impulse(${target}): ${json} does not exist")
    endif()
    _tinygen_impulse_model("${json}" model)
    # A changed JSON may name another model: read it again.
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${json}")

    set(work "${CMAKE_CURRENT_BINARY_DIR}/tinygen")
    if(arg_OUTPUT)
        get_filename_component(out "${arg_OUTPUT}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_BINARY_DIR}")
    else()
        set(out "${work}/${target}")
    endif()
    set(published "${work}/${target}-lib")
    set(include_dir "${published}/include")
    file(MAKE_DIRECTORY "${include_dir}")

    set(command generate-library "${json}" -o "${out}")
    if(arg_TARGET_BOARD)
        list(APPEND command --target "${arg_TARGET_BOARD}")
    endif()
    list(APPEND command ${arg_ARGS})

    get_property(multi_config GLOBAL PROPERTY GENERATOR_IS_MULTI_CONFIG)
    if(multi_config)
        set(config "$<CONFIG>")
        set(library_dir "${published}/$<CONFIG>")
    else()
        set(config "${CMAKE_BUILD_TYPE}")
        set(library_dir "${published}")
    endif()
    set(library_name
        "${CMAKE_STATIC_LIBRARY_PREFIX}tinygen_${target}${CMAKE_STATIC_LIBRARY_SUFFIX}")
    set(toolchain "")
    if(CMAKE_TOOLCHAIN_FILE) # the sub-build runs elsewhere: no relative path
        get_filename_component(toolchain "${CMAKE_TOOLCHAIN_FILE}" ABSOLUTE
                               BASE_DIR "${CMAKE_BINARY_DIR}")
    endif()

    # What the build-time script needs; rewritten only when it changes.
    set(settings "${work}/${target}-settings.cmake")
    string(JOIN "\n" content
        "set(TINYGEN_ROOT [==[${TINYGEN_ROOT}]==])"
        "set(TINYGEN_PYTHON [==[${TINYGEN_PYTHON}]==])"
        "set(TINYGEN_COMMAND [==[${command}]==])"
        "set(TINYGEN_OUT [==[${out}]==])"
        "set(TINYGEN_BUILD [==[${work}/${target}-build]==])"
        "set(TINYGEN_INCLUDE [==[${include_dir}]==])"
        "set(TINYGEN_GENERATOR [==[${CMAKE_GENERATOR}]==])"
        "set(TINYGEN_PLATFORM [==[${CMAKE_GENERATOR_PLATFORM}]==])"
        "set(TINYGEN_MAKE_PROGRAM [==[${CMAKE_MAKE_PROGRAM}]==])"
        "set(TINYGEN_C_COMPILER [==[${CMAKE_C_COMPILER}]==])"
        "set(TINYGEN_C_FLAGS [==[${CMAKE_C_FLAGS}]==])"
        "set(TINYGEN_TOOLCHAIN_FILE [==[${toolchain}]==])"
        "set(TINYGEN_PIC [==[${CMAKE_POSITION_INDEPENDENT_CODE}]==])"
        "set(TINYGEN_LIBRARY_PREFIX [==[${CMAKE_STATIC_LIBRARY_PREFIX}]==])"
        "set(TINYGEN_LIBRARY_SUFFIX [==[${CMAKE_STATIC_LIBRARY_SUFFIX}]==])"
        "")
    set(old "")
    if(EXISTS "${settings}")
        file(READ "${settings}" old)
    endif()
    if(NOT old STREQUAL content) # an unchanged file keeps its time: no regeneration
        file(WRITE "${settings}" "${content}")
    endif()

    _tinygen_own_sources(own)
    add_custom_command(
        OUTPUT "${library_dir}/${library_name}"
        COMMAND "${CMAKE_COMMAND}" "-DTINYGEN_SETTINGS=${settings}" "-DTINYGEN_CONFIG=${config}"
                "-DTINYGEN_LIBRARY=${library_dir}/${library_name}"
                -P "${TINYGEN_ROOT}/cmake/tinygen_build_impulse.cmake"
        DEPENDS "${json}" "${model}" "${settings}"
                "${TINYGEN_ROOT}/cmake/tinygen_build_impulse.cmake" ${own}
        COMMENT "tinygen: generating and building impulse ${target} from ${json}"
        VERBATIM)
    add_custom_target(${target}_tinygen DEPENDS "${library_dir}/${library_name}")

    add_library(${target} STATIC IMPORTED GLOBAL)
    if(multi_config)
        foreach(c IN LISTS CMAKE_CONFIGURATION_TYPES)
            string(TOUPPER "${c}" upper)
            set_property(TARGET ${target} PROPERTY
                IMPORTED_LOCATION_${upper} "${published}/${c}/${library_name}")
        endforeach()
    else()
        set_property(TARGET ${target} PROPERTY IMPORTED_LOCATION "${library_dir}/${library_name}")
    endif()
    set_property(TARGET ${target} PROPERTY INTERFACE_INCLUDE_DIRECTORIES "${include_dir}")
    if(NOT MSVC)
        set_property(TARGET ${target} PROPERTY INTERFACE_LINK_LIBRARIES m)
    endif()
    add_dependencies(${target} ${target}_tinygen)
endfunction()
