# Build-time step of tinygen_add_impulse() (cmake/tinygen.cmake), run with cmake -P:
#
#   cmake -DTINYGEN_SETTINGS=file -DTINYGEN_CONFIG=config -DTINYGEN_LIBRARY=path -P this
#
# 1. tinygen generate-library impulse.json -o OUT (replaces OUT whole, or leaves it as it was);
# 2. configures OUT as a CMake project of its own (same generator, compiler, toolchain file,
#    flags and build type as the calling project) and builds its library target NAME, the
#    impulse's name as OUT/report.json gives it;
# 3. copies the library to TINYGEN_LIBRARY and the public header NAME.h (from OUT/src, or
#    every header of OUT/include where a library keeps them there) to TINYGEN_INCLUDE.

cmake_minimum_required(VERSION 3.20)

foreach(variable TINYGEN_SETTINGS TINYGEN_LIBRARY)
    if(NOT DEFINED ${variable})
        message(FATAL_ERROR "tinygen_build_impulse.cmake: -D${variable}=... is missing")
    endif()
endforeach()
include("${TINYGEN_SETTINGS}")

function(run what)
    execute_process(COMMAND ${ARGN} RESULT_VARIABLE status)
    if(NOT status EQUAL 0)
        string(JOIN " " shown ${ARGN})
        message(FATAL_ERROR "tinygen: ${what} failed (${status}): ${shown}")
    endif()
endfunction()

# 1. generate
if(DEFINED ENV{PYTHONPATH} AND NOT "$ENV{PYTHONPATH}" STREQUAL "")
    if(CMAKE_HOST_WIN32)
        set(ENV{PYTHONPATH} "${TINYGEN_ROOT};$ENV{PYTHONPATH}")
    else()
        set(ENV{PYTHONPATH} "${TINYGEN_ROOT}:$ENV{PYTHONPATH}")
    endif()
else()
    set(ENV{PYTHONPATH} "${TINYGEN_ROOT}")
endif()
run("tinygen generate-library" "${TINYGEN_PYTHON}" -m tinygen ${TINYGEN_COMMAND})

file(READ "${TINYGEN_OUT}/report.json" report)
string(JSON name ERROR_VARIABLE error GET "${report}" name)
if(error)
    message(FATAL_ERROR "tinygen: ${TINYGEN_OUT}/report.json gives no name: ${error}")
endif()

# 2. build OUT's library
set(configure "${CMAKE_COMMAND}" -S "${TINYGEN_OUT}" -B "${TINYGEN_BUILD}"
    -G "${TINYGEN_GENERATOR}" "-DCMAKE_ARCHIVE_OUTPUT_DIRECTORY=${TINYGEN_BUILD}/lib")
if(TINYGEN_PLATFORM)
    list(APPEND configure -A "${TINYGEN_PLATFORM}")
endif()
foreach(pair
        "CMAKE_MAKE_PROGRAM;TINYGEN_MAKE_PROGRAM" "CMAKE_C_COMPILER;TINYGEN_C_COMPILER"
        "CMAKE_TOOLCHAIN_FILE;TINYGEN_TOOLCHAIN_FILE" "CMAKE_C_FLAGS;TINYGEN_C_FLAGS"
        "CMAKE_POSITION_INDEPENDENT_CODE;TINYGEN_PIC" "CMAKE_BUILD_TYPE;TINYGEN_CONFIG")
    list(GET pair 0 cmake_variable)
    list(GET pair 1 value)
    if(NOT "${${value}}" STREQUAL "")
        list(APPEND configure "-D${cmake_variable}=${${value}}")
    endif()
endforeach()
run("configuring ${TINYGEN_OUT}" ${configure})
set(build "${CMAKE_COMMAND}" --build "${TINYGEN_BUILD}" --target "${name}")
if(NOT "${TINYGEN_CONFIG}" STREQUAL "")
    list(APPEND build --config "${TINYGEN_CONFIG}")
endif()
run("building ${name}" ${build})

# 3. publish the library and the header
set(file_name "${TINYGEN_LIBRARY_PREFIX}${name}${TINYGEN_LIBRARY_SUFFIX}")
set(built "${TINYGEN_BUILD}/lib/${TINYGEN_CONFIG}/${file_name}") # a multi-config generator's
if("${TINYGEN_CONFIG}" STREQUAL "" OR NOT EXISTS "${built}")
    set(built "${TINYGEN_BUILD}/lib/${file_name}")
endif()
if(NOT EXISTS "${built}")
    message(FATAL_ERROR "tinygen: building ${TINYGEN_OUT} made no ${built}")
endif()
get_filename_component(library_dir "${TINYGEN_LIBRARY}" DIRECTORY)
file(MAKE_DIRECTORY "${library_dir}")
file(COPY_FILE "${built}" "${TINYGEN_LIBRARY}")

if(EXISTS "${TINYGEN_OUT}/include/${name}.h")
    file(GLOB headers "${TINYGEN_OUT}/include/*.h")
elseif(EXISTS "${TINYGEN_OUT}/src/${name}.h")
    set(headers "${TINYGEN_OUT}/src/${name}.h")
else()
    message(FATAL_ERROR "tinygen: ${TINYGEN_OUT} has no public header ${name}.h")
endif()
set(names "")
foreach(header IN LISTS headers)
    get_filename_component(file_name "${header}" NAME)
    list(APPEND names "${file_name}")
    # An unchanged header keeps its time: the firmware's sources are not compiled again.
    file(COPY_FILE "${header}" "${TINYGEN_INCLUDE}/${file_name}" ONLY_IF_DIFFERENT)
endforeach()
file(GLOB published "${TINYGEN_INCLUDE}/*.h")
foreach(header IN LISTS published)
    get_filename_component(file_name "${header}" NAME)
    if(NOT file_name IN_LIST names) # the header of an earlier name
        file(REMOVE "${header}")
    endif()
endforeach()
