# CMake toolchain file: build a tinygen library for a Cortex-M4F (single-precision FPU,
# hard-float calling convention) with the Arm GNU toolchain (arm-none-eabi-gcc, newlib):
#
#     cmake -B build -DCMAKE_TOOLCHAIN_FILE=cmake/arm-none-eabi.cmake
#     cmake --build build
#
# The library needs nothing from the C library at run time; linking a program for a board
# adds that board's startup code, linker script and --specs (nano.specs, rdimon.specs, ...).
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)

set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_CXX_COMPILER arm-none-eabi-g++)
set(CMAKE_ASM_COMPILER arm-none-eabi-gcc)

# CMake's compiler checks link a test program; without a board's startup code they can only
# build a static library.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(TINYGEN_CORTEX_M4_FLAGS "-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16")
set(CMAKE_C_FLAGS_INIT "${TINYGEN_CORTEX_M4_FLAGS} -ffunction-sections -fdata-sections")
set(CMAKE_CXX_FLAGS_INIT "${TINYGEN_CORTEX_M4_FLAGS} -ffunction-sections -fdata-sections")
set(CMAKE_ASM_FLAGS_INIT "${TINYGEN_CORTEX_M4_FLAGS}")
set(CMAKE_EXE_LINKER_FLAGS_INIT "${TINYGEN_CORTEX_M4_FLAGS} -Wl,--gc-sections")

# Headers and libraries come from the cross toolchain only, programs from the host.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
